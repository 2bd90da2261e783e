import { Duration, Names } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import type { Construct } from 'constructs';
import type { BoundJoinAuthorization } from '../join-authorization';
import { acknowledge, acknowledgeAll, REASONS, RULES } from '../nag-acknowledgements';
import { httpMethods, type OperationDefinition, pathParameterNames } from '../operations';
import { requestBodySchema } from '../request-schemas';
import type { ResolvedProps } from './defaults';
import { createLogGroup } from './log-groups';

/**
 * The TLS floor of the API's endpoint: TLS 1.3 and TLS 1.2 (API Gateway's enhanced policy; a regional API otherwise
 * accepts TLS 1.0). An enhanced policy needs an endpoint access mode: BASIC keeps every way of reaching the API
 * working (custom domains, CloudFront in front); STRICT also refuses requests whose endpoint type or SNI differ.
 */
export const API_SECURITY_POLICY = 'SecurityPolicy_TLS13_1_2_2021_06';
export const API_ENDPOINT_ACCESS_MODE = 'BASIC';

/**
 * The REST API with its stage, access and execution logs, TLS policy, gateway responses and optional web ACL;
 * methods come from `addMethods`.
 */
export function createRestApi(scope: Construct, props: ResolvedProps): apigateway.RestApi {
  const accessLogs = createLogGroup(scope, 'AccessLogs', props.logs);
  const cors = props.corsAllowOrigins;
  const api = new apigateway.RestApi(scope, 'Api', {
    // Unique per join service (its path in the app, stack name included), so two in one account and region differ.
    restApiName: Names.uniqueResourceName(scope, { maxLength: 128, separator: '-' }),
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
  const cfnApi = api.node.defaultChild as apigateway.CfnRestApi;
  cfnApi.securityPolicy = API_SECURITY_POLICY;
  cfnApi.endpointAccessMode = API_ENDPOINT_ACCESS_MODE;

  // API Gateway writes execution logs to this group, creating it without expiry or key if it does not exist yet.
  const executionLogs = createLogGroup(
    scope,
    'ExecutionLogs',
    props.logs,
    `API-Gateway-Execution-Logs_${api.restApiId}/${props.stageName}`,
  );
  api.deploymentStage.node.addDependency(executionLogs);

  const webAclArn =
    props.webAclArn ?? (props.perCallerRateLimit !== undefined ? createRateLimitWebAcl(scope, props) : undefined);
  if (webAclArn) {
    new wafv2.CfnWebACLAssociation(scope, 'WebAclAssociation', {
      resourceArn: api.deploymentStage.stageArn,
      webAclArn,
    });
  } else {
    acknowledgeAll(api.deploymentStage, RULES.waf, REASONS.noWaf);
  }
  acknowledgeAll(api.deploymentStage, RULES.apiCache, REASONS.noCache);
  acknowledgeAll(api.deploymentStage, RULES.clientCertificate, REASONS.noClientCertificate);
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

/** The access log record: who called what and how it ended. No bodies, headers, tokens or error messages. */
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
  // The class of an error only: `$context.error.message` of a bad signature holds the canonical request (the path
  // with its ExternalUserIds, the signed headers' values).
  errorType: '$context.error.responseType',
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

/**
 * The web ACL of `perCallerRateLimit`: allow by default, one rate-based rule per caller (the Authorization header
 * in the token modes, the IP address otherwise), its requests logged to a log group of the construct.
 */
function createRateLimitWebAcl(scope: Construct, props: ResolvedProps): string {
  const byToken = props.authorization.mode === 'cognito' || props.authorization.mode === 'custom';
  const metricName = (suffix: string) =>
    `${Names.uniqueResourceName(scope, { maxLength: 100, separator: '' })}${suffix}`;
  const webAcl = new wafv2.CfnWebACL(scope, 'RateLimitWebAcl', {
    scope: 'REGIONAL',
    defaultAction: { allow: {} },
    visibilityConfig: {
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: false,
      metricName: metricName('WebAcl'),
    },
    rules: [
      {
        name: 'PerCallerRateLimit',
        priority: 0,
        action: { block: {} },
        statement: {
          rateBasedStatement: {
            limit: props.perCallerRateLimit!,
            evaluationWindowSec: 300,
            aggregateKeyType: byToken ? 'CUSTOM_KEYS' : 'IP',
            ...(byToken && {
              customKeys: [{ header: { name: 'authorization', textTransformations: [{ priority: 0, type: 'NONE' }] } }],
            }),
          },
        },
        // Sampled requests would show callers' tokens in the console: off.
        visibilityConfig: {
          cloudWatchMetricsEnabled: true,
          sampledRequestsEnabled: false,
          metricName: metricName('PerCaller'),
        },
      },
    ],
  });
  // WAF logs name the rule that matched; the Authorization header is redacted so no token is written.
  const wafLogs = createLogGroup(
    scope,
    'WebAclLogs',
    props.logs,
    `aws-waf-logs-${Names.uniqueResourceName(scope, { maxLength: 400, separator: '-' })}`,
  );
  new wafv2.CfnLoggingConfiguration(scope, 'WebAclLogging', {
    resourceArn: webAcl.attrArn,
    logDestinationConfigs: [wafLogs.logGroupArn],
    redactedFields: [{ singleHeader: { Name: 'authorization' } }],
  });
  return webAcl.attrArn;
}
