/**
 * Rules on a meeting's features and its attendees' capabilities that shapes cannot express. Each is stated in the
 * model's documentation (AttendeeCapabilities, VideoFeatures, ContentFeatures, AttendeeFeatures) and in the seed
 * rules (SERVICE.md "Chime behaviours to rely on"); Chime answers BadRequestException (400) when one is broken.
 */
import type { MediaCapabilities, MeetingFeaturesConfiguration } from '@aws-sdk/client-chime-sdk-meetings';
import { ChimeError } from './errors';
import { HIGH_RESOLUTION_ATTENDEE_MAX } from './limits';

/** Capabilities with every member present, as Chime returns them. */
export interface Capabilities {
  Audio: MediaCapabilities;
  Video: MediaCapabilities;
  Content: MediaCapabilities;
}

/** Content may send or receive only when video at least receives. */
const RECEIVING_VIDEO: readonly MediaCapabilities[] = ['SendReceive', 'Receive'];

/**
 * MeetingFeatures rules beyond the shape: FHD video or UHD content needs `Attendee.MaxCount`, and lowers the
 * attendee maximum from 250 to 25 (VideoFeatures, ContentFeatures and AttendeeFeatures documentation).
 */
export function meetingFeaturesProblem(features: MeetingFeaturesConfiguration | undefined): string | undefined {
  const highResolution = [
    features?.Video?.MaxResolution === 'FHD' && 'MeetingFeatures.Video.MaxResolution FHD',
    features?.Content?.MaxResolution === 'UHD' && 'MeetingFeatures.Content.MaxResolution UHD',
  ].filter(Boolean);
  if (highResolution.length === 0) return undefined;
  const maxCount = features?.Attendee?.MaxCount;
  if (maxCount === undefined) {
    return `${highResolution.join(' and ')} requires MeetingFeatures.Attendee.MaxCount`;
  }
  if (maxCount > HIGH_RESOLUTION_ATTENDEE_MAX) {
    return `${highResolution.join(' and ')} allows MeetingFeatures.Attendee.MaxCount of at most ${HIGH_RESOLUTION_ATTENDEE_MAX}`;
  }
  return undefined;
}

/**
 * Why capabilities are not allowed in a meeting with these features, or undefined when they are: with video (or
 * content) MaxResolution `None` only `None` is allowed for it; content SendReceive/Receive needs video
 * SendReceive/Receive.
 */
export function capabilitiesProblem(
  features: MeetingFeaturesConfiguration | undefined,
  { Video, Content }: Capabilities,
): string | undefined {
  if (features?.Video?.MaxResolution === 'None' && Video !== 'None') {
    return "Video capability must be None: the meeting's MeetingFeatures.Video.MaxResolution is None";
  }
  if (features?.Content?.MaxResolution === 'None' && Content !== 'None') {
    return "Content capability must be None: the meeting's MeetingFeatures.Content.MaxResolution is None";
  }
  if (RECEIVING_VIDEO.includes(Content) && !RECEIVING_VIDEO.includes(Video)) {
    return 'Content capability SendReceive or Receive requires Video capability SendReceive or Receive';
  }
  return undefined;
}

/**
 * The capabilities an attendee gets: the requested ones if the meeting allows them (else BadRequestException),
 * or the defaults for the meeting's features when none were requested.
 */
export function resolveCapabilities(
  features: MeetingFeaturesConfiguration | undefined,
  requested: Capabilities | undefined,
): Capabilities {
  if (!requested) {
    const videoOff = features?.Video?.MaxResolution === 'None';
    const contentOff = features?.Content?.MaxResolution === 'None';
    // Content SendReceive needs video at least Receive, so a video-less meeting still receives video.
    return {
      Audio: 'SendReceive',
      Video: videoOff ? (contentOff ? 'None' : 'Receive') : 'SendReceive',
      Content: contentOff ? 'None' : 'SendReceive',
    };
  }
  const problem = capabilitiesProblem(features, requested);
  if (problem) throw new ChimeError('BadRequestException', problem);
  return { Audio: requested.Audio, Video: requested.Video, Content: requested.Content };
}
