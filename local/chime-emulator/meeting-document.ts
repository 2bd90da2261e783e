/** The Meeting document Chime answers with: ids, ARN and media placement URLs shaped like the service's. */
import type { Meeting, MeetingFeaturesConfiguration, Tag } from '@aws-sdk/client-chime-sdk-meetings';
import type { RandomSource } from './random';

/** CreateMeeting input for `createMeeting`; every member is optional there. */
export interface MeetingInput {
  readonly ClientRequestToken?: string;
  readonly MediaRegion?: string;
  readonly ExternalMeetingId?: string;
  readonly MeetingHostId?: string;
  readonly MeetingFeatures?: MeetingFeaturesConfiguration;
  readonly PrimaryMeetingId?: string;
  readonly TenantIds?: string[];
  readonly Tags?: Tag[];
  readonly MediaPlacementNetworkType?: 'Ipv4Only' | 'DualStack';
}

/** Media placement host code of a region, as in Chime's URLs: us-east-1 → ue1, ap-southeast-2 → as2. */
function regionCode(region: string): string {
  const parts = region.split('-');
  return (
    parts
      .slice(0, -1)
      .map((part) => part[0])
      .join('') + parts[parts.length - 1]
  );
}

/**
 * A new meeting for a validated CreateMeeting input. MeetingFeatures, MeetingHostId, PrimaryMeetingId and
 * TenantIds are echoed as given (absent when not given); Tags and MediaPlacementNetworkType are accepted but not
 * part of the Meeting shape.
 */
export function meetingDocument(
  input: MeetingInput & { MediaRegion: string; ExternalMeetingId: string },
  random: RandomSource,
  controlRegion: string,
  accountId: string,
): Meeting & { MeetingId: string; ExternalMeetingId: string; MediaRegion: string } {
  const meetingId = random.uuid();
  const code = regionCode(input.MediaRegion);
  const cell = `m${1 + (random.bytes(1)[0] % 3)}.${code}.app.chime.aws`;
  const partition = controlRegion.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  return {
    MeetingId: meetingId,
    ...(input.MeetingHostId === undefined ? {} : { MeetingHostId: input.MeetingHostId }),
    ExternalMeetingId: input.ExternalMeetingId,
    MediaRegion: input.MediaRegion,
    MediaPlacement: {
      AudioHostUrl: `${random.bytes(16).toString('hex')}.k.${cell}:3478`,
      AudioFallbackUrl: `wss://haxrp.${cell}:443/calls/${meetingId}`,
      SignalingUrl: `wss://signal.${cell}/control/${meetingId}`,
      TurnControlUrl: `https://ccp.cp.${code}.app.chime.aws/v2/turn_sessions`,
      ScreenDataUrl: `wss://bitpw.${cell}:443/v2/screen/${meetingId}`,
      ScreenViewingUrl: `wss://bitpw.${cell}:443/ws/connect?passcode=null&viewer_uuid=null&X-BitHub-Call-Id=${meetingId}`,
      ScreenSharingUrl: `wss://bitpw.${cell}:443/v2/screen/${meetingId}`,
      EventIngestionUrl: `https://data.svc.${code}.ingest.chime.aws/v1/client-events`,
    },
    ...(input.MeetingFeatures === undefined ? {} : { MeetingFeatures: structuredClone(input.MeetingFeatures) }),
    ...(input.PrimaryMeetingId === undefined ? {} : { PrimaryMeetingId: input.PrimaryMeetingId }),
    ...(input.TenantIds === undefined ? {} : { TenantIds: [...input.TenantIds] }),
    MeetingArn: `arn:${partition}:chime:${controlRegion}:${accountId}:meeting/${meetingId}`,
  };
}
