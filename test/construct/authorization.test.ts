import { BACKGROUND_TABLE, OPERATION_TABLE } from '../../lib/operations';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { JoinAuthorization } from '../../lib';
import { logicalId, synthService } from './template-helpers';

function routeMethods(template: ReturnType<typeof synthService>['template']) {
  return Object.values(template.findResources('AWS::ApiGateway::Method')).filter(
    (m) => m.Properties.HttpMethod !== 'OPTIONS',
  );
}

function handlerEnvironments(template: ReturnType<typeof synthService>['template']) {
  const functions = Object.entries(template.findResources('AWS::Lambda::Function')).filter(([id]) =>
    id.startsWith('JoinService'),
  );
  expect(functions).toHaveLength(OPERATION_TABLE.length + BACKGROUND_TABLE.length);
  return functions.map(([, fn]) => fn.Properties.Environment.Variables);
}

describe('JoinAuthorization.iam() (the default)', () => {
  const { template } = synthService();

  it('requires AWS_IAM on every route and tells the handlers so', () => {
    for (const method of routeMethods(template)) expect(method.Properties.AuthorizationType).toBe('AWS_IAM');
    for (const env of handlerEnvironments(template)) expect(env.AUTH_MODE).toBe('iam');
    template.resourceCountIs('AWS::ApiGateway::Authorizer', 0);
  });

  it('requires ExternalUserId in the join body', () => {
    template.hasResourceProperties('AWS::ApiGateway::Model', {
      Name: 'CreateAttendeeRequest',
      Schema: Match.objectLike({ required: ['ExternalUserId'] }),
    });
  });
});

describe('JoinAuthorization.cognito()', () => {
  const synth = () =>
    synthService({}, (stack) => ({
      authorization: JoinAuthorization.cognito(new cognito.UserPool(stack, 'Users'), {
        identityClaim: 'email',
        adminGroup: 'operators',
      }),
    }));
  const { template } = synth();

  it('puts a Cognito user pool authorizer of that pool on every route', () => {
    template.resourceCountIs('AWS::ApiGateway::Authorizer', 1);
    const pool = logicalId(template, 'AWS::Cognito::UserPool', 'Users');
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'COGNITO_USER_POOLS',
      IdentitySource: 'method.request.header.Authorization',
      ProviderARNs: [{ 'Fn::GetAtt': [pool, 'Arn'] }],
    });
    const authorizer = logicalId(template, 'AWS::ApiGateway::Authorizer', 'JoinServiceCognitoAuthorizer');
    const methods = routeMethods(template);
    expect(methods).toHaveLength(OPERATION_TABLE.length);
    for (const method of methods) {
      expect(method.Properties.AuthorizationType).toBe('COGNITO_USER_POOLS');
      expect(method.Properties.AuthorizerId).toEqual({ Ref: authorizer });
    }
  });

  it('tells the handlers the identity claim and the admin group', () => {
    for (const env of handlerEnvironments(template)) {
      expect(env).toMatchObject({ AUTH_MODE: 'cognito', AUTH_IDENTITY_CLAIM: 'email', AUTH_ADMIN_GROUP: 'operators' });
    }
  });

  it('lets the join body omit ExternalUserId, which the token supplies', () => {
    const models = Object.values(template.findResources('AWS::ApiGateway::Model'));
    const join = models.find((m) => m.Properties.Name === 'CreateAttendeeRequest')!;
    expect(join.Properties.Schema.required).toBeUndefined();
  });

  it('defaults the claim to sub and the admin group to admins', () => {
    const { template: t } = synthService({}, (stack) => ({
      authorization: JoinAuthorization.cognito(new cognito.UserPool(stack, 'Users')),
    }));
    for (const env of handlerEnvironments(t))
      expect(env).toMatchObject({ AUTH_IDENTITY_CLAIM: 'sub', AUTH_ADMIN_GROUP: 'admins' });
  });

  it('refuses IAM grants, which would mean nothing here', () => {
    expect(() =>
      synthService(
        {},
        (stack) => ({ authorization: JoinAuthorization.cognito(new cognito.UserPool(stack, 'Users')) }),
        (service, stack) => service.grantJoin(new iam.Role(stack, 'R', { assumedBy: new iam.AccountRootPrincipal() })),
      ),
    ).toThrow(/grantJoin and grantAdmin need JoinAuthorization.iam\(\); this join service uses cognito/);
  });

  it('matches the snapshot', () => {
    expect(synth().template.toJSON()).toMatchSnapshot();
  });
});

describe('JoinAuthorization.custom()', () => {
  const { template } = synthService({}, (stack) => {
    const fn = new lambda.Function(stack, 'AuthorizerFunction', {
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromInline('exports.handler=async()=>({})'),
    });
    return {
      authorization: JoinAuthorization.custom(new apigateway.TokenAuthorizer(stack, 'Authorizer', { handler: fn })),
    };
  });

  it('puts the given Lambda authorizer on every route and tells the handlers to read its context', () => {
    const authorizer = logicalId(template, 'AWS::ApiGateway::Authorizer', 'Authorizer');
    for (const method of routeMethods(template)) {
      expect(method.Properties.AuthorizationType).toBe('CUSTOM');
      expect(method.Properties.AuthorizerId).toEqual({ Ref: authorizer });
    }
    for (const env of handlerEnvironments(template)) expect(env.AUTH_MODE).toBe('custom');
  });
});

describe('JoinAuthorization.none()', () => {
  it('opens every route only by explicit choice, with a warning at synth', () => {
    const { template, stack } = synthService({ authorization: JoinAuthorization.none() });
    for (const method of routeMethods(template)) expect(method.Properties.AuthorizationType).toBe('NONE');
    for (const env of handlerEnvironments(template)) expect(env.AUTH_MODE).toBe('none');
    Annotations.fromStack(stack).hasWarning(
      '/TestStack/JoinService',
      Match.stringLikeRegexp('JoinAuthorization.none\\(\\): every route'),
    );
  });

  it('is never the default: the default stack carries no such warning', () => {
    const { stack } = synthService();
    Annotations.fromStack(stack).hasNoWarning('*', Match.stringLikeRegexp('JoinAuthorization.none'));
  });
});
