import { Annotations, ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { acknowledgeAll, REASONS, RULES } from '../nag-acknowledgements';

/** How every log group of the construct is kept: one retention, and one key when the owner gives one. */
export interface LogSettings {
  readonly retention: logs.RetentionDays;
  readonly encryptionKey?: kms.IKey;
}

/**
 * A log group of the construct, with its retention and key. `logGroupName` only for a group whose name a service
 * fixes (API Gateway's execution logs); the others keep generated names.
 */
export function createLogGroup(
  scope: Construct,
  id: string,
  settings: LogSettings,
  logGroupName?: string,
): logs.LogGroup {
  const logGroup = new logs.LogGroup(scope, id, {
    logGroupName,
    retention: settings.retention,
    encryptionKey: settings.encryptionKey,
  });
  if (!settings.encryptionKey) acknowledgeAll(logGroup, RULES.logGroupEncrypted, REASONS.logsDefaultEncryption);
  return logGroup;
}

/**
 * Lets CloudWatch Logs in this region use the key for this account's log groups, as the CloudWatch Logs guide
 * documents (the encryption context names the log group; the groups' generated names are not known before they
 * exist, and naming them here would make the key and the groups depend on each other). A key whose policy is not
 * ours to change (an imported one) gets a warning saying what its policy needs.
 */
export function allowLogEncryption(scope: Construct, key: kms.IKey): void {
  const stack = Stack.of(scope);
  const logsPrincipal = `logs.${stack.region}.amazonaws.com`;
  const { statementAdded } = key.addToResourcePolicy(
    new iam.PolicyStatement({
      sid: 'AllowCloudWatchLogsOfThisAccount',
      principals: [new iam.ServicePrincipal(logsPrincipal)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
            service: 'logs',
            resource: 'log-group',
            resourceName: '*',
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        },
      },
    }),
  );
  if (!statementAdded) {
    Annotations.of(scope).addWarningV2(
      'cdk-chime-join-service:logEncryptionKey',
      `logEncryptionKey: this key's policy cannot be changed here (an imported key). Its policy must allow ` +
        `${logsPrincipal} kms:Encrypt*, kms:Decrypt*, kms:ReEncrypt*, kms:GenerateDataKey* and kms:Describe* ` +
        `with the condition ArnLike kms:EncryptionContext:aws:logs:arn on this account's log groups, or creating ` +
        `the log groups fails.`,
    );
  }
}
