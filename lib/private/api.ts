import { Duration } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import type { BoundJoinAuthorization } from '../join-authorization';
import { acknowledge, REASONS } from '../nag-acknowledgements';
import { httpMethods, type OperationDefinition, pathParameterNames } from '../operations';
import { requestBodySchema } from '../request-schemas';
import type { ResolvedProps } from './defaults';

/** The REST API with its stage, access log, gateway responses and optional web ACL; methods come from `addMethods`. */
export function createRestApi(scope: Construct, props: ResolvedProps): apigateway.RestApi {
  const accessLogs = new logs.LogGroup(scope, 'AccessLogs', { retention: props.logRetention });
  const cors = props.corsAllowOrigins;
  const api = new apigateway.RestApi(scope, 'Api', {
    description: 'Amazon Chime SDK meetings join service',
    endpointTypes: [apigateway.EndpointType.REGIONAL],
    cloudWatchRole: props.cloudWatchRole,
    deployOptions: {
      stageName: props.stageName,
      tracingEnabled: true,
      loggingLevel: apigateway.MethodLoggingLevel.ERROR,
      // The data trace would log request and response bodies, join tokens included.
      dataTraceEnabled: false,
      metricsEnabled: true,
      throttlingRateLimit: props.throttlingRateLimit,
      throttlingBurstLimit: props.throttlingBurstLimit,
      accessLogDestination: new apigateway.LogGroupLogDestination(accessLogs),
      accessLogFormat: apigateway.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
    },
    defaultCorsPreflightOptions:
      cors.length > 0
        ? {
            allowOrigins: [...cors],
            allowMethods: [...httpMethods(), 'OPTIONS'],
            allowHeaders: apigateway.Cors.DEFAULT_HEADERS,
            maxAge: Duration.hours(1),
          }
        : undefined,
  });
  addGatewayResponses(api, cors);

  if (props.webAclArn) {
    new wafv2.CfnWebACLAssociation(scope, 'WebAclAssociation', {
      resourceArn: api.deploymentStage.stageArn,
      webAclArn: props.webAclArn,
    });
  } else {
    acknowledge(api.deploymentStage, 'AwsSolutions-APIG3', REASONS.noWaf);
  }
  const accountRole = api.node.tryFindChild('CloudWatchRole');
  if (accountRole) {
    acknowledge(
      accountRole,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      REASONS.apiGatewayAccountRole,
    );
  }
  return api;
}

/**
 * One method per operation row: its path and query parameters and body checked at the edge (the handlers check
 * every rule again), the authorization mode's options, and the operation's function behind it.
 */
export function addMethods(
  scope: Construct,
  api: apigateway.RestApi,
  rows: readonly OperationDefinition[],
  functionOf: (row: OperationDefinition) => lambda.IFunction,
  authorization: BoundJoinAuthorization & { readonly bodyNamesUser: boolean; readonly mediaRegions: readonly string[] },
): Map<OperationDefinition, apigateway.Method> {
  const parameterValidator = new apigateway.RequestValidator(scope, 'ParameterValidator', {
    restApi: api,
    validateRequestParameters: true,
  });
  const bodyValidator = new apigateway.RequestValidator(scope, 'BodyValidator', {
    restApi: api,
    validateRequestParameters: true,
    validateRequestBody: true,
  });
  const methods = new Map<OperationDefinition, apigateway.Method>();
  for (const row of rows) {
    const requestParameters: Record<string, boolean> = {};
    for (const name of pathParameterNames(row.path)) requestParameters[`method.request.path.${name}`] = true;
    for (const name of row.query) requestParameters[`method.request.querystring.${name}`] = false;
    const model =
      row.body &&
      api.addModel(`${row.id}Model`, {
        contentType: 'application/json',
        modelName: row.body,
        schema: requestBodySchema(row.body, authorization),
      });
    // API Gateway validates a body only against the model of its content type; `$default` applies the model to
    // every other type too, so no Content-Type skips the edge validation (the handlers then answer 415).
    const requestModels = model ? { 'application/json': model, $default: model } : undefined;
    const integration = new apigateway.LambdaIntegration(functionOf(row), { allowTestInvoke: false });
    const method = api.root.resourceForPath(row.path).addMethod(row.method, integration, {
      ...authorization.methodOptions,
      requestParameters,
      requestModels,
      requestValidator: row.body ? bodyValidator : parameterValidator,
    });
    for (const [id, reason] of Object.entries(authorization.methodAcknowledgements)) acknowledge(method, id, reason);
    methods.set(row, method);
  }
  return methods;
}

/** The access log record: who called what and how it ended. No bodies, headers or tokens. */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTime: '$context.requestTime',
  sourceIp: '$context.identity.sourceIp',
  caller: '$context.identity.caller',
  userArn: '$context.identity.userArn',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integration.latency',
  errorType: '$context.error.responseType',
  errorMessage: '$context.error.message',
};

/**
 * The errors API Gateway answers itself, in the service's error shape `{Code, Message, RequestId}`.
 * `$context.error.messageString` is already a quoted JSON string.
 */
const GATEWAY_ERRORS: Array<{ id: string; type: apigateway.ResponseType; code: string; retryAfter?: boolean }> = [
  { id: 'BadRequestBody', type: apigateway.ResponseType.BAD_REQUEST_BODY, code: 'BadRequest' },
  { id: 'BadRequestParameters', type: apigateway.ResponseType.BAD_REQUEST_PARAMETERS, code: 'BadRequest' },
  { id: 'RequestTooLarge', type: apigateway.ResponseType.REQUEST_TOO_LARGE, code: 'PayloadTooLarge' },
  { id: 'Unauthorized', type: apigateway.ResponseType.UNAUTHORIZED, code: 'Unauthorized' },
  { id: 'AccessDenied', type: apigateway.ResponseType.ACCESS_DENIED, code: 'Forbidden' },
  // With IAM authorization an unknown route answers "Missing Authentication Token" too.
  { id: 'MissingAuthenticationToken', type: apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN, code: 'Forbidden' },
  { id: 'InvalidSignature', type: apigateway.ResponseType.INVALID_SIGNATURE, code: 'Forbidden' },
  { id: 'ExpiredToken', type: apigateway.ResponseType.EXPIRED_TOKEN, code: 'Forbidden' },
  { id: 'ResourceNotFound', type: apigateway.ResponseType.RESOURCE_NOT_FOUND, code: 'NotFound' },
  { id: 'Throttled', type: apigateway.ResponseType.THROTTLED, code: 'Throttling', retryAfter: true },
  { id: 'QuotaExceeded', type: apigateway.ResponseType.QUOTA_EXCEEDED, code: 'Throttling', retryAfter: true },
  { id: 'UnsupportedMediaType', type: apigateway.ResponseType.UNSUPPORTED_MEDIA_TYPE, code: 'UnsupportedMediaType' },
  { id: 'WafFiltered', type: apigateway.ResponseType.WAF_FILTERED, code: 'Forbidden' },
  { id: 'IntegrationTimeout', type: apigateway.ResponseType.INTEGRATION_TIMEOUT, code: 'UpstreamTimeout' },
  { id: 'IntegrationFailure', type: apigateway.ResponseType.INTEGRATION_FAILURE, code: 'UpstreamFailure' },
  { id: 'Default4xx', type: apigateway.ResponseType.DEFAULT_4XX, code: 'BadRequest' },
  { id: 'Default5xx', type: apigateway.ResponseType.DEFAULT_5XX, code: 'InternalFailure' },
];

function addGatewayResponses(api: apigateway.RestApi, corsAllowOrigins: readonly string[]): void {
  // A gateway response cannot choose among several origins, so it names one only when there is exactly one.
  const corsHeaders: Record<string, string> =
    corsAllowOrigins.length === 1
      ? { 'Access-Control-Allow-Origin': `'${corsAllowOrigins[0]}'`, Vary: "'Origin'" }
      : {};
  for (const { id, type, code, retryAfter } of GATEWAY_ERRORS) {
    const responseHeaders = { ...corsHeaders, ...(retryAfter ? { 'Retry-After': "'1'" } : {}) };
    api.addGatewayResponse(id, {
      type,
      responseHeaders: Object.keys(responseHeaders).length > 0 ? responseHeaders : undefined,
      templates: {
        'application/json': `{"Code":"${code}","Message":$context.error.messageString,"RequestId":"$context.requestId"}`,
      },
    });
  }
}
