// The operation table (lib/operations.ts) drives everything a route needs. This suite walks every row and checks it is
// wired everywhere: the API method, its parameters and body model, the function and its timeout, the role's exact
// actions, CORS, the IAM grants, the handlers' allow-list, the local adapter's routes and handler loading, the bundle,
// and the metrics' operation names. A row that is missing anywhere fails here.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ATTENDEE_TABLE, MEETING_TABLE } from '../../lib/contract';
import {
  BACKGROUND_TABLE,
  httpMethods,
  JoinServiceOperation,
  OPERATION_TABLE,
  type OperationDefinition,
  pathParameterNames,
} from '../../lib/operations';
import { authorize } from '../../lambda/shared/authorization';
import { JoinServiceError } from '../../lambda/shared/errors';
import { startLocalApi } from '../../local/api-gateway';
import { logicalId, render, rolePermissions, synthService } from './template-helpers';

const ROOT = join(__dirname, '..', '..');
const rows = OPERATION_TABLE.map((row) => [row.operation, row] as const);

/** A concrete path for a route: each `{Name}` filled with a value valid for it. */
const concretePath = (row: OperationDefinition) =>
  row.path.replace(/\{(\w+)\}/g, (_m, name: string) =>
    name === 'ExternalUserId' ? 'alice' : '2b7c5e2a-8a47-4c45-9a5c-0d3c2f0b1a11',
  );

describe('the operation table', () => {
  it('lists every JoinServiceOperation exactly once, with unique ids and routes', () => {
    expect([...OPERATION_TABLE, ...BACKGROUND_TABLE].map((r) => r.operation).sort()).toEqual(
      Object.values(JoinServiceOperation).sort(),
    );
    expect(new Set(OPERATION_TABLE.map((r) => r.id)).size).toBe(OPERATION_TABLE.length);
    expect(new Set(OPERATION_TABLE.map((r) => `${r.method} ${r.path}`)).size).toBe(OPERATION_TABLE.length);
  });

  it('has a handler entry in lambda/ for every row and no entry without one', () => {
    const entries = readdirSync(join(ROOT, 'lambda'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => f.replace(/\.ts$/, ''));
    expect(entries.sort()).toEqual([...OPERATION_TABLE, ...BACKGROUND_TABLE].map((r) => r.operation).sort());
  });
});

// One synthesis for every row: CORS on, and one role granted join, another admin.
const { template, service } = synthService({ corsAllowOrigins: ['https://app.example.com'] }, undefined, (s, stack) => {
  s.grantJoin(new iam.Role(stack, 'Joiner', { assumedBy: new iam.AccountRootPrincipal() }));
  s.grantAdmin(new iam.Role(stack, 'Admin', { assumedBy: new iam.AccountRootPrincipal() }));
});

describe.each(rows)('%s', (operation, row) => {
  const fnId = logicalId(template, 'AWS::Lambda::Function', `JoinService${row.id}`);
  const methods = Object.entries(template.findResources('AWS::ApiGateway::Method'));
  const resourcePathOf = (ref: unknown): string => {
    const id = (ref as { Ref?: string }).Ref;
    if (!id) return '';
    const resource = template.findResources('AWS::ApiGateway::Resource')[id];
    return `${resourcePathOf(resource.Properties.ParentId)}/${resource.Properties.PathPart}`;
  };
  const [, method] = methods.find(
    ([, m]) => m.Properties.HttpMethod === row.method && resourcePathOf(m.Properties.ResourceId) === row.path,
  ) ?? ['', undefined];

  it('has an API method at its path, calling its own function', () => {
    expect(method).toBeDefined();
    expect(render(method!.Properties.Integration.Uri)).toContain(`${fnId}.Arn`);
    expect(method!.Properties.AuthorizationType).toBe('AWS_IAM');
  });

  it('checks its path and query parameters, and its body when it has one, at the edge', () => {
    const expected: Record<string, boolean> = {};
    for (const name of pathParameterNames(row.path)) expected[`method.request.path.${name}`] = true;
    for (const name of row.query) expected[`method.request.querystring.${name}`] = false;
    expect(method!.Properties.RequestParameters).toEqual(expected);
    if (row.body) {
      const modelId = (method!.Properties.RequestModels['application/json'] as { Ref: string }).Ref;
      expect(method!.Properties.RequestModels.$default).toEqual({ Ref: modelId });
      expect(template.findResources('AWS::ApiGateway::Model')[modelId].Properties.Name).toBe(row.body);
    } else {
      expect(method!.Properties.RequestModels).toBeUndefined();
    }
  });

  it('runs its own bundle with its timeout', () => {
    const fn = template.findResources('AWS::Lambda::Function')[fnId];
    expect(fn.Properties.Timeout).toBe(row.timeoutSeconds);
    expect(fn.Properties.Description).toBe(`Chime join service: ${operation}`);
    expect(service.functionFor(operation).node.id).toBe(row.id);
    expect(existsSync(join(ROOT, 'assets', operation, 'index.js'))).toBe(true);
  });

  it("gives its role exactly the row's Chime and DynamoDB actions", () => {
    const roleId = logicalId(template, 'AWS::IAM::Role', `JoinService${row.id}Role`);
    const table = `\${${logicalId(template, 'AWS::DynamoDB::Table', 'JoinServiceAttendeeTable')}.Arn}`;
    const meetingTable = `\${${logicalId(template, 'AWS::DynamoDB::Table', 'JoinServiceMeetingTable')}.Arn}`;
    const meetings = 'arn:${AWS::Partition}:chime:us-east-1:123456789012:meeting/*';
    const expected = [
      ...[...row.chime, ...(row.chimeWhenIncludeMeeting ?? [])].map((a) => `chime:${a} on ${meetings}`),
      ...row.attendeeTable.map((a) => `dynamodb:${a} on ${table}`),
      ...row.attendeeIndex.map((a) => `dynamodb:${a} on ${table}/index/${ATTENDEE_TABLE.meetingIndexName}`),
      ...(row.meetingTable ?? []).map((a) => `dynamodb:${a} on ${meetingTable}`),
      ...(row.meetingIndex ?? []).map(
        (a) => `dynamodb:${a} on ${meetingTable}/index/${MEETING_TABLE.meetingIndexName}`,
      ),
    ].sort();
    const actual = rolePermissions(template, roleId).filter((p) => /^(chime|dynamodb):/.test(p));
    expect(actual).toEqual(expected);
    expect(service.roleFor(operation).node.id).toBe(`${row.id}Role`);
    expect(service.logGroupFor(operation).node.id).toBe(`${row.id}Logs`);
  });

  it('answers CORS preflights for its method', () => {
    const preflight = methods.find(
      ([, m]) => m.Properties.HttpMethod === 'OPTIONS' && resourcePathOf(m.Properties.ResourceId) === row.path,
    );
    const allowMethods =
      preflight![1].Properties.Integration.IntegrationResponses[0].ResponseParameters[
        'method.response.header.Access-Control-Allow-Methods'
      ];
    expect(allowMethods.replace(/'/g, '').split(',')).toContain(row.method);
    expect(httpMethods()).toContain(row.method);
  });

  it(`is covered by grantAdmin${row.joinGrant ? ' and grantJoin' : ', not by grantJoin'}`, () => {
    const grantedTo = (role: string) =>
      Object.values(template.findResources('AWS::IAM::Policy'))
        .filter((p) => (p.Properties.Roles as unknown[]).map(render).some((r) => r.includes(role)))
        .flatMap((p) => p.Properties.PolicyDocument.Statement)
        .flatMap((s: { Resource: unknown }) => [s.Resource].flat().map(render));
    const arnSuffix = `/${row.method}${row.path.replace(/\{\w+\}/g, '*')}`;
    const covers = (role: string) => grantedTo(role).some((arn) => arn.endsWith(arnSuffix));
    expect(covers('Admin')).toBe(true);
    expect(covers('Joiner')).toBe(row.joinGrant === true);
  });

  it(`is ${row.callers ? `open to non-admins (${row.callers})` : 'for admins only'} in the handlers`, () => {
    const request = {
      pathParameters: { ExternalUserId: 'alice' },
      queryStringParameters: {},
      headers: {},
      body: null,
      requestId: 'r',
    };
    const nonAdmin = { externalUserId: 'alice', isAdmin: false };
    const attempt = () => authorize(operation, request, nonAdmin);
    if (row.callers) expect(attempt()).toEqual(nonAdmin);
    else expect(attempt).toThrow(JoinServiceError);
    expect(authorize(operation, request, { isAdmin: true })).toEqual({ isAdmin: true });
  });

  it('is routed by the local adapter to its handler', async () => {
    const handlers = Object.fromEntries(
      OPERATION_TABLE.map((r) => [
        r.operation,
        async () => ({ statusCode: 200, body: JSON.stringify({ operation: r.operation }) }),
      ]),
    );
    const api = await startLocalApi({ handlers, port: 0 });
    try {
      const answer = await fetch(`${api.url}${concretePath(row)}`, { method: row.method });
      expect(await answer.json()).toEqual({ operation });
    } finally {
      await api.stop();
    }
  });

  it('names the Operation dimension of its metrics', () => {
    expect(service.metricLatency(operation).dimensions).toMatchObject({ Operation: operation });
    expect(service.metricRequests(operation).dimensions).toMatchObject({ Operation: operation });
  });

  it('has a handler module that exports `handler`', async () => {
    const module = (await import(`../../lambda/${operation}`)) as { handler?: unknown };
    expect(typeof module.handler).toBe('function');
  });
});
