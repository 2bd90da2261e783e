/**
 * The operations the emulator implements, and what the model says about each: its HTTP route and success code,
 * its input shape, and the errors it declares (fault injection is limited to those).
 */
import { type ChimeErrorName, isChimeErrorName } from './errors';
import { modelOperation } from './model';

/** The operations the emulator implements, named as in the model. */
export const CHIME_OPERATIONS = [
  'CreateMeeting',
  'CreateMeetingWithAttendees',
  'GetMeeting',
  'DeleteMeeting',
  'CreateAttendee',
  'BatchCreateAttendee',
  'GetAttendee',
  'ListAttendees',
  'DeleteAttendee',
  'UpdateAttendeeCapabilities',
  'BatchUpdateAttendeeCapabilitiesExcept',
] as const;
export type ChimeOperation = (typeof CHIME_OPERATIONS)[number];

export function isChimeOperation(name: string): name is ChimeOperation {
  return (CHIME_OPERATIONS as readonly string[]).includes(name);
}

/** The errors each operation declares in the model, in the model's order. */
export const OPERATION_ERRORS: Readonly<Record<ChimeOperation, readonly ChimeErrorName[]>> = Object.fromEntries(
  CHIME_OPERATIONS.map((operation) => {
    const errors = (modelOperation(operation).errors ?? []).map(({ shape }) => shape);
    const unknown = errors.filter((name) => !isChimeErrorName(name));
    if (unknown.length > 0) throw new Error(`${operation} declares errors the emulator does not know: ${unknown}`);
    return [operation, errors as ChimeErrorName[]];
  }),
) as unknown as Record<ChimeOperation, readonly ChimeErrorName[]>;

/** One operation's route, from the model's `http` trait: `/meetings/{MeetingId}/attendees?operation=batch-create`. */
export interface OperationRoute {
  readonly operation: ChimeOperation;
  readonly method: string;
  /** Path segments; `{Name}` segments are path parameters. */
  readonly segments: readonly string[];
  /** The value of the `operation` query parameter the route requires, or undefined when it must be absent. */
  readonly operationParameter?: string;
  /** The success status code (the model's `responseCode`, 200 when absent). */
  readonly successCode: number;
  /** The model's input shape name. */
  readonly inputShape: string;
}

export const OPERATION_ROUTES: readonly OperationRoute[] = CHIME_OPERATIONS.map((operation) => {
  const { http, input } = modelOperation(operation);
  const [path, query = ''] = http.requestUri.split('?');
  const operationParameter = new URLSearchParams(query).get('operation') ?? undefined;
  if (!input) throw new Error(`the Chime model gives ${operation} no input shape`);
  return {
    operation,
    method: http.method,
    segments: path.split('/').filter(Boolean),
    operationParameter,
    successCode: http.responseCode ?? 200,
    inputShape: input.shape,
  };
});

export function operationRoute(operation: ChimeOperation): OperationRoute {
  return OPERATION_ROUTES.find((route) => route.operation === operation)!;
}
