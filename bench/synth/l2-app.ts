// The baseline of the synth benchmark: what a consumer would write without the construct, from bare L2s with
// their defaults: a REST API with the join service's five routes (IAM authorization), one function per route
// from the same pre-bundled assets, and the attendee table with its index, each function granted the table.
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { ATTENDEE_TABLE } from '../../lib/contract';
import { OPERATION_TABLE } from '../../lib/operations';

const app = new App();
const stack = new Stack(app, 'BenchBareL2');
const table = new dynamodb.Table(stack, 'AttendeeTable', {
  partitionKey: { name: ATTENDEE_TABLE.partitionKey, type: dynamodb.AttributeType.STRING },
  sortKey: { name: ATTENDEE_TABLE.sortKey, type: dynamodb.AttributeType.STRING },
  billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
  timeToLiveAttribute: ATTENDEE_TABLE.timeToLiveAttribute,
});
table.addGlobalSecondaryIndex({
  indexName: ATTENDEE_TABLE.meetingIndexName,
  partitionKey: { name: ATTENDEE_TABLE.meetingIndexPartitionKey, type: dynamodb.AttributeType.STRING },
  sortKey: { name: ATTENDEE_TABLE.meetingIndexSortKey, type: dynamodb.AttributeType.STRING },
});
const api = new apigateway.RestApi(stack, 'Api');
for (const route of OPERATION_TABLE) {
  const fn = new lambda.Function(stack, route.operation, {
    runtime: lambda.Runtime.NODEJS_24_X,
    architecture: lambda.Architecture.ARM_64,
    code: lambda.Code.fromAsset(path.join(__dirname, '..', '..', 'assets', route.operation)),
    handler: 'index.handler',
    environment: { ATTENDEE_TABLE_NAME: table.tableName },
  });
  table.grantReadWriteData(fn);
  api.root.resourceForPath(route.path).addMethod(route.method, new apigateway.LambdaIntegration(fn), {
    authorizationType: apigateway.AuthorizationType.IAM,
  });
}
app.synth();
