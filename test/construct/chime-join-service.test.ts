import * as fs from 'fs';
import * as path from 'path';
import { Duration, FileSystem, RemovalPolicy } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { BACKGROUND_TABLE, OPERATION_TABLE } from '../../lib/operations';

const FUNCTIONS = [...OPERATION_TABLE, ...BACKGROUND_TABLE];
import { logicalId, synthService } from './template-helpers';

describe('template snapshots, one per scenario', () => {
  it.each([
    ['default props', () => synthService()],
    ['a customer managed KMS key', () => synthService({}, (stack) => ({ encryptionKey: new kms.Key(stack, 'Key') }))],
    [
      'an existing table',
      () =>
        synthService({}, (stack) => ({
          table: dynamodb.Table.fromTableArn(
            stack,
            'Existing',
            'arn:aws:dynamodb:us-east-1:123456789012:table/existing',
          ),
        })),
    ],
    [
      'CORS for two origins',
      () => synthService({ corsAllowOrigins: ['https://app.example.com', 'https://admin.example.com'] }),
    ],
  ])('%s', (_name, synth) => {
    expect(synth().template.toJSON()).toMatchSnapshot();
  });
});

describe('defaults', () => {
  const { template, service } = synthService();

  it('creates the attendee table keyed ExternalUserId/MeetingId with the byMeeting index', () => {
    template.resourceCountIs('AWS::DynamoDB::Table', 2);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'ExternalUserId', KeyType: 'HASH' },
        { AttributeName: 'MeetingId', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayWith([
        { AttributeName: 'ExternalUserId', AttributeType: 'S' },
        { AttributeName: 'MeetingId', AttributeType: 'S' },
      ]),
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byMeeting',
          KeySchema: [
            { AttributeName: 'MeetingId', KeyType: 'HASH' },
            { AttributeName: 'ExternalUserId', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
  });

  it('creates the meeting table keyed ExternalMeetingId with the byMeetingId index', () => {
    const meetingTable =
      template.findResources('AWS::DynamoDB::Table')[
        logicalId(template, 'AWS::DynamoDB::Table', 'JoinServiceMeetingTable')
      ];
    expect(meetingTable.Properties).toMatchObject({
      KeySchema: [{ AttributeName: 'ExternalMeetingId', KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: 'byMeetingId',
          KeySchema: [{ AttributeName: 'MeetingId', KeyType: 'HASH' }],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
    expect(service.meetingTable.node.id).toBe('MeetingTable');
  });

  it('makes both tables on-demand, recoverable, encrypted, expiring and retained', () => {
    const tables = Object.values(template.findResources('AWS::DynamoDB::Table'));
    expect(tables).toHaveLength(2);
    for (const table of tables) {
      expect(table).toMatchObject({
        Properties: {
          BillingMode: 'PAY_PER_REQUEST',
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
          SSESpecification: { SSEEnabled: true },
          TimeToLiveSpecification: { AttributeName: 'ExpiresAt', Enabled: true },
        },
        DeletionPolicy: 'Retain',
        UpdateReplacePolicy: 'Retain',
      });
    }
  });

  it("runs one Node.js 24 arm64 function per operation, with JSON logs, X-Ray and a timeout below API Gateway's", () => {
    template.resourceCountIs('AWS::Lambda::Function', FUNCTIONS.length);
    const functions = Object.values(template.findResources('AWS::Lambda::Function'));
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON', ApplicationLogLevel: 'INFO', SystemLogLevel: 'WARN' },
      });
    }
    // Each function carries its row's timeout; every route's lies between one AWS call's bounded retries (3
    // attempts of at most 3 s, 1.5 s of backoff) and API Gateway's 29 s, so a slow upstream ends as our own error.
    const byId = Object.entries(template.findResources('AWS::Lambda::Function')).map(([id, fn]) => [
      id.replace(/^JoinService|[0-9A-F]{8}$/g, ''),
      fn.Properties.Timeout,
    ]);
    expect(Object.fromEntries(byId)).toEqual(Object.fromEntries(FUNCTIONS.map((row) => [row.id, row.timeoutSeconds])));
    for (const row of OPERATION_TABLE) {
      expect(row.timeoutSeconds).toBeGreaterThan(3 * 3 + 1.5);
      expect(row.timeoutSeconds).toBeLessThan(29);
    }
  });

  it('hands each function the tables, the index, the TTL, the region, includeMeeting and the meeting settings', () => {
    const tableId = logicalId(template, 'AWS::DynamoDB::Table', 'JoinServiceAttendeeTable');
    const meetingTableId = logicalId(template, 'AWS::DynamoDB::Table', 'JoinServiceMeetingTable');
    const fn =
      template.findResources('AWS::Lambda::Function')[
        logicalId(template, 'AWS::Lambda::Function', 'JoinServiceCreateAttendee')
      ];
    expect(fn.Properties.Environment.Variables).toEqual({
      ATTENDEE_TABLE_NAME: { Ref: tableId },
      ATTENDEE_TABLE_MEETING_INDEX: 'byMeeting',
      INCLUDE_MEETING: 'true',
      ATTENDEE_TTL_SECONDS: '86400',
      CHIME_REGION: 'us-east-1',
      CORS_ALLOW_ORIGINS: '',
      AUTH_MODE: 'iam',
      METRICS_SERVICE: 'TestStack/JoinService',
      MEETING_TABLE_NAME: { Ref: meetingTableId },
      MEETING_CREATION: 'admins',
      MEDIA_REGIONS: '',
    });
  });

  it.each(FUNCTIONS.map((row) => [row.id, row.operation]))(
    'loads the %s function from its pre-bundled folder assets/%s',
    (id, folder) => {
      const assetDir = path.join(__dirname, '..', '..', 'assets', folder);
      expect(fs.existsSync(path.join(assetDir, 'index.js'))).toBe(true);
      const fn =
        template.findResources('AWS::Lambda::Function')[
          logicalId(template, 'AWS::Lambda::Function', `JoinService${id}`)
        ];
      expect(fn.Properties.Code.S3Key).toBe(`${FileSystem.fingerprint(assetDir)}.zip`);
    },
  );

  it('keeps every log group for a year', () => {
    const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(groups).toHaveLength(FUNCTIONS.length + 2); // one per function, the access log and the execution log
    for (const group of groups) expect(group.Properties.RetentionInDays).toBe(365);
  });

  it('requires AWS_IAM on every route and answers no CORS preflight', () => {
    const methods = Object.values(template.findResources('AWS::ApiGateway::Method'));
    expect(methods.map((m) => m.Properties.HttpMethod).sort()).toEqual(OPERATION_TABLE.map((r) => r.method).sort());
    for (const method of methods) expect(method.Properties.AuthorizationType).toBe('AWS_IAM');
  });

  it('validates the required path parameters at the edge', () => {
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestParameters: true });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'DELETE',
      RequestParameters: { 'method.request.path.MeetingId': true, 'method.request.path.AttendeeId': true },
      RequestValidatorId: Match.anyValue(),
    });
  });

  it('validates the join and batch bodies against JSON-schema models at the edge', () => {
    const models = Object.values(template.findResources('AWS::ApiGateway::Model'));
    const byName = Object.fromEntries(models.map((m) => [m.Properties.Name, m.Properties.Schema]));
    expect(Object.keys(byName).sort()).toEqual([
      'BatchCreateAttendeeRequest',
      'CreateAttendeeRequest',
      'CreateMeetingRequest',
      'JoinMeetingRequest',
      'UpdateAttendeeCapabilitiesRequest',
      'UpdateCapabilitiesExceptRequest',
    ]);
    expect(byName.UpdateCapabilitiesExceptRequest).toMatchObject({
      required: ['Capabilities', 'ExcludedAttendeeIds'],
      properties: { ExcludedAttendeeIds: { minItems: 1, maxItems: 250 } },
    });
    expect(byName.CreateAttendeeRequest).toMatchObject({
      type: 'object',
      additionalProperties: false,
      required: ['ExternalUserId'],
      properties: {
        ExternalUserId: { minLength: 2, maxLength: 64, not: { pattern: '^[aA][wW][sS]:' } },
        Capabilities: { required: ['Audio', 'Video', 'Content'], additionalProperties: false },
        Tags: { maxItems: 10 },
      },
    });
    expect(byName.BatchCreateAttendeeRequest.properties.Attendees).toMatchObject({ minItems: 1, maxItems: 250 });
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
    const posts = Object.values(template.findResources('AWS::ApiGateway::Method')).filter(
      (m) => m.Properties.HttpMethod === 'POST' || m.Properties.HttpMethod === 'PUT',
    );
    expect(posts).toHaveLength(OPERATION_TABLE.filter((r) => r.body !== undefined).length);
    // The same model for JSON and for every other content type ($default): no Content-Type skips the validation.
    for (const post of posts) {
      const models = post.Properties.RequestModels;
      expect(Object.keys(models).sort()).toEqual(['$default', 'application/json']);
      expect(models.$default).toEqual(models['application/json']);
    }
  });

  it('associates no web ACL unless given one', () => {
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
  });

  it('deploys a regional API with X-Ray, error-level execution logs without data trace, throttling and JSON access logs', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', { EndpointConfiguration: { Types: ['REGIONAL'] } });
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    const stage = Object.values(template.findResources('AWS::ApiGateway::Stage'))[0];
    expect(stage.Properties).toMatchObject({
      StageName: 'prod',
      TracingEnabled: true,
      MethodSettings: [
        {
          DataTraceEnabled: false,
          LoggingLevel: 'ERROR',
          MetricsEnabled: true,
          ThrottlingRateLimit: 100,
          ThrottlingBurstLimit: 200,
          HttpMethod: '*',
          ResourcePath: '/*',
        },
      ],
    });
    const format = JSON.parse(stage.Properties.AccessLogSetting.Format);
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status' });
    expect(stage.Properties.AccessLogSetting.Format).not.toMatch(/body|Authorization|token/i);
  });

  it("answers API Gateway's own errors as {Code, Message, RequestId}", () => {
    const responses = Object.values(template.findResources('AWS::ApiGateway::GatewayResponse'));
    const byType = Object.fromEntries(responses.map((r) => [r.Properties.ResponseType, r.Properties]));
    for (const type of [
      'DEFAULT_4XX',
      'DEFAULT_5XX',
      'MISSING_AUTHENTICATION_TOKEN',
      'ACCESS_DENIED',
      'THROTTLED',
      'BAD_REQUEST_BODY',
      'REQUEST_TOO_LARGE',
      'UNAUTHORIZED',
      'RESOURCE_NOT_FOUND',
    ]) {
      const template_ = byType[type]?.ResponseTemplates?.['application/json'];
      expect(template_).toBeDefined();
      const body = JSON.parse(template_.replace('$context.error.messageString', '"message"'));
      expect(Object.keys(body)).toEqual(['Code', 'Message', 'RequestId']);
    }
    expect(byType.THROTTLED.ResponseParameters).toEqual({ 'gatewayresponse.header.Retry-After': "'1'" });
    expect(
      JSON.parse(
        byType.REQUEST_TOO_LARGE.ResponseTemplates['application/json'].replace('$context.error.messageString', '""'),
      ).Code,
    ).toBe('PayloadTooLarge');
  });

  it('exposes the API, the table, the URL and one function per operation', () => {
    // The tokens resolve to the very resources the template holds, not merely to something.
    const resolve = (token: string) => service.api.stack.resolve(token);
    const apiId = Object.keys(template.findResources('AWS::ApiGateway::RestApi'));
    expect(apiId).toHaveLength(1);
    expect(resolve(service.api.restApiId)).toEqual({ Ref: apiId[0] });
    const tableId = logicalId(template, 'AWS::DynamoDB::Table', 'JoinServiceAttendeeTable');
    expect(resolve(service.table.tableName)).toEqual({ Ref: tableId });
    expect(service.url).toMatch(/execute-api/);
    const names = [
      service.createAttendeeFunction,
      service.batchCreateAttendeeFunction,
      service.listAttendeesFunction,
      service.listUserAttendeesFunction,
      service.deleteAttendeeFunction,
    ].map((fn) => fn.node.id);
    expect(names).toEqual([
      'CreateAttendee',
      'BatchCreateAttendee',
      'ListAttendees',
      'ListUserAttendees',
      'DeleteAttendee',
    ]);
  });
});

describe('overrides', () => {
  it('encrypts the new table with the customer managed key given', () => {
    const { template } = synthService({}, (stack) => ({ encryptionKey: new kms.Key(stack, 'Key') }));
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: {
        SSEEnabled: true,
        SSEType: 'KMS',
        KMSMasterKeyId: { 'Fn::GetAtt': [logicalId(template, 'AWS::KMS::Key', 'Key'), 'Arn'] },
      },
    });
  });

  it('uses an existing table instead of creating one (the meeting table is still created)', () => {
    const { template, service } = synthService({}, (stack) => ({
      table: dynamodb.Table.fromTableName(stack, 'Existing', 'existing-attendees'),
    }));
    template.resourceCountIs('AWS::DynamoDB::Table', 1);
    expect(service.table.node.id).toBe('Existing');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ ATTENDEE_TABLE_NAME: 'existing-attendees' }) },
    });
  });

  it('uses existing tables for both, and then creates none', () => {
    const { template, service } = synthService({}, (stack) => ({
      table: dynamodb.Table.fromTableName(stack, 'Existing', 'existing-attendees'),
      meetingTable: dynamodb.Table.fromTableName(stack, 'ExistingMeetings', 'existing-meetings'),
    }));
    template.resourceCountIs('AWS::DynamoDB::Table', 0);
    expect(service.meetingTable.node.id).toBe('ExistingMeetings');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ MEETING_TABLE_NAME: 'existing-meetings' }) },
    });
  });

  it('applies the table removal policy and point-in-time recovery given', () => {
    const { template } = synthService({ tableRemovalPolicy: RemovalPolicy.DESTROY, pointInTimeRecovery: false });
    template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false } }),
    });
  });

  it('passes includeMeeting, the attendee TTL and the Chime region to the handlers', () => {
    const { template } = synthService({
      includeMeeting: false,
      attendeeTtl: Duration.hours(36),
      chimeRegion: 'us-west-2',
      chimeEventsForwarded: true,
    });
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function'))) {
      expect(fn.Properties.Environment.Variables).toMatchObject({
        INCLUDE_MEETING: 'false',
        ATTENDEE_TTL_SECONDS: '129600',
        CHIME_REGION: 'us-west-2',
      });
    }
  });

  it("rejects an attendee TTL shorter than Chime's maximum meeting length (24 hours)", () => {
    expect(() => synthService({ attendeeTtl: Duration.hours(23) })).toThrow(/attendeeTtl must be at least 24 hours/);
    expect(() => synthService({ attendeeTtl: Duration.hours(24) })).not.toThrow();
  });

  it('answers CORS preflights for the listed origins only, without authorization', () => {
    const origins = ['https://app.example.com', 'https://admin.example.com'];
    const { template } = synthService({ corsAllowOrigins: origins });
    const options = Object.values(template.findResources('AWS::ApiGateway::Method')).filter(
      (m) => m.Properties.HttpMethod === 'OPTIONS',
    );
    expect(options.length).toBeGreaterThan(0);
    for (const method of options) {
      expect(method.Properties.AuthorizationType).toBe('NONE');
      const response = method.Properties.Integration.IntegrationResponses[0];
      expect(response.ResponseParameters['method.response.header.Access-Control-Allow-Origin']).toBe(
        "'https://app.example.com'",
      );
      expect(response.ResponseTemplates['application/json']).toContain('$origin == "https://admin.example.com"');
    }
    for (const method of Object.values(template.findResources('AWS::ApiGateway::Method'))) {
      if (method.Properties.HttpMethod !== 'OPTIONS') expect(method.Properties.AuthorizationType).toBe('AWS_IAM');
    }
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ CORS_ALLOW_ORIGINS: origins.join(',') }) },
    });
  });

  it("names the single CORS origin on API Gateway's own error responses", () => {
    const { template } = synthService({ corsAllowOrigins: ['https://app.example.com'] });
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'DEFAULT_4XX',
      ResponseParameters: {
        'gatewayresponse.header.Access-Control-Allow-Origin': "'https://app.example.com'",
        'gatewayresponse.header.Vary': "'Origin'",
      },
    });
  });

  it('applies stage throttling, the stage name and log retention given', () => {
    const { template } = synthService({
      throttlingRateLimit: 10,
      throttlingBurstLimit: 20,
      stageName: 'v1',
      logRetention: logs.RetentionDays.ONE_WEEK,
    });
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'v1',
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 })],
    });
    for (const group of Object.values(template.findResources('AWS::Logs::LogGroup'))) {
      expect(group.Properties.RetentionInDays).toBe(7);
    }
  });

  it('associates the web ACL given with the API stage', () => {
    const webAclArn = 'arn:aws:wafv2:us-east-1:123456789012:regional/webacl/join/abc';
    const { template } = synthService({ webAclArn });
    template.hasResourceProperties('AWS::WAFv2::WebACLAssociation', {
      WebACLArn: webAclArn,
      ResourceArn: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
    });
  });

  it('creates the account-wide API Gateway logging role only when asked', () => {
    const { template } = synthService({ cloudWatchRole: true });
    template.resourceCountIs('AWS::ApiGateway::Account', 1);
  });
});
