import { Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { ATTENDEE_TABLE, MEETING_TABLE } from '../contract';
import { acknowledge, REASONS, wildcardResourceDetail } from '../nag-acknowledgements';
import type { DynamoDbAction, FunctionDefinition } from '../operations';

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
  Scan: KEY_READ,
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
    private readonly meetingTable: dynamodb.ITable,
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

  public grant(role: iam.IRole, row: FunctionDefinition): void {
    const chime = [...row.chime, ...(this.includeMeeting ? (row.chimeWhenIncludeMeeting ?? []) : [])];
    if (chime.length > 0) {
      role.addToPrincipalPolicy(
        new iam.PolicyStatement({ actions: chime.map((a) => `chime:${a}`), resources: [this.meetingArns] }),
      );
      acknowledge(role, `AwsSolutions-IAM5[${wildcardResourceDetail(role, this.meetingArns)}]`, REASONS.chimeMeetings);
    }
    const tables: Array<[dynamodb.ITable, readonly DynamoDbAction[], readonly DynamoDbAction[], string]> = [
      [this.table, row.attendeeTable, row.attendeeIndex, ATTENDEE_TABLE.meetingIndexName],
      [this.meetingTable, row.meetingTable ?? [], row.meetingIndex ?? [], MEETING_TABLE.meetingIndexName],
    ];
    for (const [table, tableActions, indexActions, indexName] of tables) {
      const resources: Array<[readonly DynamoDbAction[], string]> = [
        [tableActions, table.tableArn],
        [indexActions, `${table.tableArn}/index/${indexName}`],
      ];
      for (const [actions, resource] of resources) {
        if (actions.length === 0) continue;
        role.addToPrincipalPolicy(
          new iam.PolicyStatement({ actions: actions.map((a) => `dynamodb:${a}`), resources: [resource] }),
        );
      }
      this.grantKey(role, table, [...tableActions, ...indexActions]);
    }
  }

  /** The KMS actions a table's customer managed key needs for these DynamoDB actions. */
  private grantKey(role: iam.IRole, table: dynamodb.ITable, actions: readonly DynamoDbAction[]): void {
    const key = table.encryptionKey;
    if (!key) return;
    const keyActions = [...new Set(actions.flatMap((a) => KMS_ACTIONS[a]))];
    if (keyActions.length === 0) return;
    key.grant(role, ...keyActions);
    for (const wildcard of keyActions.filter((a) => a.endsWith('*'))) {
      acknowledge(role, `AwsSolutions-IAM5[Action::${wildcard}]`, REASONS.kmsWildcardActions);
    }
  }
}
