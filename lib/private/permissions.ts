import { Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { ATTENDEE_TABLE } from '../contract';
import { acknowledge, REASONS, wildcardResourceDetail } from '../nag-acknowledgements';
import type { DynamoDbAction, OperationDefinition } from '../operations';

/**
 * The KMS actions each DynamoDB action needs on a table encrypted with a customer managed key: reads decrypt,
 * writes also encrypt new data keys. The same key actions aws-dynamodb grants for reads and writes, stated per action
 * so that a new DynamoDB action without an entry fails to compile.
 */
const KEY_READ = ['kms:Decrypt', 'kms:DescribeKey'] as const;
const KEY_WRITE = [...KEY_READ, 'kms:Encrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*'] as const;
const KMS_ACTIONS: Record<DynamoDbAction, readonly string[]> = {
  GetItem: KEY_READ,
  Query: KEY_READ,
  PutItem: KEY_WRITE,
  UpdateItem: KEY_WRITE,
  DeleteItem: KEY_WRITE,
  BatchWriteItem: KEY_WRITE,
};

/** Grants one operation's role exactly the actions its row lists, on the narrowest resources they allow. */
export class OperationPermissions {
  private readonly meetingArns: string;

  constructor(
    scope: Construct,
    private readonly table: dynamodb.ITable,
    chimeRegion: string,
    private readonly includeMeeting: boolean,
  ) {
    // Meeting ids exist only at run time, so the narrowest ARN is the account's meetings in the Chime region.
    this.meetingArns = Stack.of(scope).formatArn({
      service: 'chime',
      region: chimeRegion,
      resource: 'meeting',
      resourceName: '*',
    });
  }

  public grant(role: iam.IRole, row: OperationDefinition): void {
    const chime = [...row.chime, ...(this.includeMeeting ? (row.chimeWhenIncludeMeeting ?? []) : [])];
    if (chime.length > 0) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: chime.map((a) => `chime:${a}`), resources: [this.meetingArns] }),
      );
      acknowledge(role, `AwsSolutions-IAM5[${wildcardResourceDetail(role, this.meetingArns)}]`, REASONS.chimeMeetings);
    }
    const resources: Array<[readonly DynamoDbAction[], string]> = [
      [row.attendeeTable, this.table.tableArn],
      [row.attendeeIndex, `${this.table.tableArn}/index/${ATTENDEE_TABLE.meetingIndexName}`],
    ];
    for (const [actions, resource] of resources) {
      if (actions.length === 0) continue;
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: actions.map((a) => `dynamodb:${a}`), resources: [resource] }),
      );
    }
    const key = this.table.encryptionKey;
    if (key) {
      const keyActions = [...new Set([...row.attendeeTable, ...row.attendeeIndex].flatMap((a) => KMS_ACTIONS[a]))];
      if (keyActions.length === 0) return;
      key.grant(role, ...keyActions);
      for (const wildcard of keyActions.filter((a) => a.endsWith('*'))) {
        acknowledge(role, `AwsSolutions-IAM5[Action::${wildcard}]`, REASONS.kmsWildcardActions);
      }
    }
  }
}
