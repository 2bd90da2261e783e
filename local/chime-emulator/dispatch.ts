/**
 * What each operation does once its input passed the model's validation: the answer body (the model's output
 * shape) built from meeting and attendee state. The success status is the model's (operations.ts).
 */
import type { Attendee, CreateAttendeeError, Meeting } from '@aws-sdk/client-chime-sdk-meetings';
import {
  type AttendeeItem,
  copy,
  deleteAttendee,
  join,
  joinEach,
  listAttendees,
  updateCapabilities,
  updateCapabilitiesExcept,
} from './attendees';
import { type Capabilities, meetingFeaturesProblem } from './capabilities';
import type { CursorSealer } from './cursors';
import { ChimeError } from './errors';
import type { MeetingInput } from './meeting-document';
import type { MeetingStore } from './meetings';
import type { ChimeOperation } from './operations';
import { validateChimeInput, validationMessage } from './validation';

export interface OperationContext {
  readonly store: MeetingStore;
  readonly cursors: CursorSealer;
  /** The control region of meetings this caller creates (the credential scope's region). */
  readonly controlRegion: string;
  /** ListAttendees page size when MaxResults is absent. */
  readonly defaultMaxResults: number;
}

type CreateInput = MeetingInput & { ClientRequestToken: string; MediaRegion: string; ExternalMeetingId: string };

/** Validates an operation's input (the model, then the rules shapes cannot state) and runs the operation. */
export function runOperation(
  operation: ChimeOperation,
  input: Record<string, unknown>,
  context: OperationContext,
): unknown {
  const problems = validateChimeInput(operation, input);
  if (problems.length > 0) throw new ChimeError('BadRequestException', validationMessage(problems));
  const { store } = context;
  const meetingId = input.MeetingId as string;
  const attendeeId = input.AttendeeId as string;
  switch (operation) {
    case 'CreateMeeting':
      return createMeeting(operation, input, context);
    case 'CreateMeetingWithAttendees':
      return createMeeting(operation, input, context, input.Attendees as AttendeeItem[]);
    case 'GetMeeting':
      return { Meeting: structuredClone(store.live(meetingId).meeting) };
    case 'DeleteMeeting':
      store.live(meetingId);
      store.end(meetingId);
      return undefined;
    case 'CreateAttendee':
      return { Attendee: copy(join(store, store.live(meetingId), input as unknown as AttendeeItem)) };
    case 'BatchCreateAttendee':
      return joinEach(store, store.live(meetingId), input.Attendees as AttendeeItem[]);
    case 'GetAttendee':
      return { Attendee: copy(store.liveAttendee(meetingId, attendeeId).attendee) };
    case 'ListAttendees':
      return listAttendees(
        store,
        context.cursors,
        meetingId,
        (input.MaxResults as number | undefined) ?? context.defaultMaxResults,
        input.NextToken as string | undefined,
      );
    case 'DeleteAttendee':
      deleteAttendee(store, meetingId, attendeeId);
      return undefined;
    case 'UpdateAttendeeCapabilities':
      return { Attendee: updateCapabilities(store, meetingId, attendeeId, input.Capabilities as Capabilities) };
    case 'BatchUpdateAttendeeCapabilitiesExcept':
      updateCapabilitiesExcept(
        store,
        meetingId,
        (input.ExcludedAttendeeIds as { AttendeeId: string }[]).map((item) => item.AttendeeId),
        input.Capabilities as Capabilities,
      );
      return undefined;
  }
}

/** CreateMeeting, and CreateMeetingWithAttendees when `items` are given (their errors are reported per item). */
function createMeeting(
  operation: ChimeOperation,
  input: Record<string, unknown>,
  context: OperationContext,
  items?: readonly AttendeeItem[],
): { Meeting: Meeting; Attendees?: Attendee[]; Errors?: CreateAttendeeError[] } {
  const request = input as unknown as CreateInput;
  const problem = meetingFeaturesProblem(request.MeetingFeatures);
  if (problem) throw new ChimeError('BadRequestException', problem);
  return context.store.create(operation, request, context.controlRegion, (record) => ({
    Meeting: structuredClone(record.meeting),
    ...(items && joinEach(context.store, record, items)),
  }));
}
