// Who sees a join's JoinToken (attendeeForCaller): the user the attendee belongs to, or the caller whose join
// created its mapping; anyone else gets the attendee without it.
import { attendeeForCaller } from '../../lambda/shared/chime';
import { chimeAttendee } from './fixtures';

const withoutToken = ({ ExternalUserId, AttendeeId, Capabilities }: ReturnType<typeof chimeAttendee>) => ({
  ExternalUserId,
  AttendeeId,
  Capabilities,
});

describe('attendeeForCaller', () => {
  const alice = chimeAttendee('alice', 1);

  it.each([
    ['the user it belongs to, meeting it again', { externalUserId: 'alice', isAdmin: false }, 'unchanged', alice],
    ['the caller whose join created it', { isAdmin: true }, 'created', alice],
    ['another user, meeting it again', { externalUserId: 'bob', isAdmin: false }, 'unchanged', withoutToken(alice)],
    ['a caller without an ExternalUserId, meeting it again', { isAdmin: true }, 'unchanged', withoutToken(alice)],
  ] as const)('answers %s as shown', (_, caller, outcome, expected) => {
    expect(attendeeForCaller(alice, caller, outcome)).toEqual(expected);
  });

  it('never takes a caller without an ExternalUserId for the owner of an attendee without one', () => {
    const { ExternalUserId: _, ...anonymous } = alice;
    expect(attendeeForCaller(anonymous, { isAdmin: true }, 'unchanged')).toStrictEqual({
      ExternalUserId: undefined,
      AttendeeId: alice.AttendeeId,
      Capabilities: alice.Capabilities,
    });
  });
});
