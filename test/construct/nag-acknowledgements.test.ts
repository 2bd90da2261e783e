// An IAM5 acknowledgement names the wildcard resource exactly as cdk-nag reports it, or it acknowledges nothing and
// the finding stays (the cdk-nag suite would fail, but only for the ARN shapes the construct happens to use).
// wildcardResourceDetail follows cdk-nag's flattenCfnReference: checked against it for every intrinsic it renders.
import { App, Fn, Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { flattenCfnReference } from 'cdk-nag/lib/utils/flatten-cfn-reference';
import { wildcardResourceDetail } from '../../lib/nag-acknowledgements';

const stack = new Stack(new App(), 'NagStack', { env: { account: '123456789012', region: 'us-east-1' } });
const table = new dynamodb.Table(stack, 'Table', {
  partitionKey: { name: 'pk', type: dynamodb.AttributeType.STRING },
});

// Each value as the construct would pass it (a string, possibly with tokens), and what cdk-nag makes of it.
const cases: Array<[string, string, string]> = [
  ['a plain ARN', 'arn:aws:chime:us-east-1:123456789012:meeting/*', 'arn:aws:chime:us-east-1:123456789012:meeting/*'],
  [
    'a Fn::Sub with pseudo parameters',
    Fn.sub('arn:${AWS::Partition}:chime:${AWS::Region}:${AWS::AccountId}:meeting/*'),
    'arn:<AWS::Partition>:chime:<AWS::Region>:<AWS::AccountId>:meeting/*',
  ],
  ['a Ref', table.tableName, '<Table'],
  ['a Fn::GetAtt', table.tableArn, '<Table'],
  ['a Fn::Join of a Fn::GetAtt and text', `${table.tableArn}/index/*`, '/index/*'],
  [
    'a Fn::Join with pseudo parameter Refs',
    stack.formatArn({ service: 'chime', resource: 'meeting', resourceName: '*' }),
    'arn:',
  ],
  ['another intrinsic (rendered as JSON)', Fn.select(0, Fn.split(',', table.tableName)), '{"Fn::Select"'],
];

describe('wildcardResourceDetail', () => {
  it.each(cases)("renders %s as cdk-nag's IAM5 finding names it", (_name, value, contains) => {
    const detail = wildcardResourceDetail(stack, value);
    expect(detail).toBe(`Resource::${flattenCfnReference(stack.resolve(value))}`);
    expect(detail).toContain(contains);
  });

  it('renders the intrinsics the way the findings read', () => {
    // Stated once without cdk-nag, so a change on either side shows which one moved.
    expect(wildcardResourceDetail(stack, Fn.sub('a:${AWS::Region}:b'))).toBe('Resource::a:<AWS::Region>:b');
    expect(wildcardResourceDetail(stack, table.tableArn)).toMatch(/^Resource::<Table[0-9A-F]{8}\.Arn>$/);
    expect(wildcardResourceDetail(stack, `${table.tableName}/x`)).toMatch(/^Resource::<Table[0-9A-F]{8}>\/x$/);
    expect(wildcardResourceDetail(stack, Fn.select(1, Fn.split('/', table.tableArn)))).toMatch(
      /^Resource::\{"Fn::Select":\[1,\{"Fn::Split":\["\/",\{"Fn::GetAtt":\["Table[0-9A-F]{8}","Arn"\]\}\]\}\]\}$/,
    );
  });
});
