/**
 * Routing as the SDK addresses the service: each operation's method, path and `operation` query parameter come
 * from the model's `http` trait, and the operation's input is assembled from the path, the query string and the
 * JSON body wherever the model says each member travels.
 */
import { ChimeError } from './errors';
import { MAX_BODY_BYTES } from './http-body';
import { modelShape } from './model';
import { type ChimeOperation, OPERATION_ROUTES, type OperationRoute } from './operations';

export interface MatchedRoute {
  readonly route: OperationRoute;
  readonly operation: ChimeOperation;
  /** Path parameters by the name in the route (`MeetingId`, `AttendeeId`), decoded. */
  readonly pathParameters: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
}

export function matchRoute(method: string, url: URL): MatchedRoute | undefined {
  let segments: string[];
  try {
    segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  } catch {
    return undefined;
  }
  const operationParameter = url.searchParams.get('operation') ?? undefined;
  for (const route of OPERATION_ROUTES) {
    if (route.method !== method || route.operationParameter !== operationParameter) continue;
    if (route.segments.length !== segments.length) continue;
    const pathParameters: Record<string, string> = {};
    const matches = route.segments.every((template, i) => {
      const parameter = /^\{(\w+)\}$/.exec(template)?.[1];
      if (parameter === undefined) return template === segments[i];
      pathParameters[parameter] = segments[i];
      return true;
    });
    if (matches) return { route, operation: route.operation, pathParameters, query: url.searchParams };
  }
  return undefined;
}

/**
 * The operation's input in the SDK's form: members named as in the model, whether they came in the path, the
 * query string (integers parsed; anything else is left for validation to refuse) or the JSON body.
 */
export function operationInput(matched: MatchedRoute, raw: Buffer | 'too-large'): Record<string, unknown> {
  const members = Object.entries(modelShape(matched.route.inputShape).members ?? {});
  // Operations without body members (GET, DELETE) ignore whatever body comes with the request.
  const body = members.some(([, member]) => member.location === undefined) ? jsonBody(raw) : {};
  const input: Record<string, unknown> = {};
  for (const [name, member] of members) {
    const from = member.locationName ?? name;
    if (member.location === 'uri') {
      input[name] = matched.pathParameters[from];
    } else if (member.location === 'querystring') {
      const value = matched.query.get(from);
      if (value === null) continue;
      const type = modelShape(member.shape).type;
      input[name] = type === 'integer' ? (/^-?\d+$/.test(value) ? Number(value) : NaN) : value;
    } else if (member.location === undefined && body[name] !== undefined) {
      input[name] = body[name];
    }
  }
  return input;
}

function jsonBody(raw: Buffer | 'too-large'): Record<string, unknown> {
  if (raw === 'too-large') throw new ChimeError('BadRequestException', `Request body exceeds ${MAX_BODY_BYTES} bytes`);
  if (raw.length === 0) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ChimeError('BadRequestException', 'Request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ChimeError('BadRequestException', 'Request body must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}
