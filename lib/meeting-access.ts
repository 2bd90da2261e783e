import type * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * Who may join which meeting, and with which capabilities, in the token authorization modes (Cognito, custom
 * authorizer). The service decides, not the caller: a user's join asks the policy before Chime is called.
 * Administrators, and IAM callers (backends the API's IAM policy admits), are not asked about.
 */
export abstract class MeetingAccess {
  /**
   * Any authenticated user may join a meeting they can name, with the capabilities they ask for within the
   * meeting's features. Users may not attach Tags; bans hold.
   */
  public static open(): MeetingAccess {
    return new OpenMeetingAccess();
  }

  /**
   * A Lambda function of yours decides each user's join. It is invoked synchronously with
   * `{Caller: {ExternalUserId}, Meeting: {MeetingId, ExternalMeetingId?, MeetingFeatures?, Host?}, RequestedCapabilities?}`
   * and answers `{Allow: boolean, Capabilities?: {Audio, Video, Content}}`: the most the user may have (a join asking
   * for more is refused with 403; a join asking for none gets these). It fails closed: an error, a timeout (3 s)
   * or an answer of another shape refuses the join (502), never admits it. The join functions are granted
   * `lambda:InvokeFunction` on it.
   *
   * @param fn the function that decides
   */
  public static custom(fn: lambda.IFunction): MeetingAccess {
    return new CustomMeetingAccess(fn);
  }

  /** The function that decides, or undefined for `open`. */
  public abstract readonly accessFunction?: lambda.IFunction;
}

class OpenMeetingAccess extends MeetingAccess {
  public readonly accessFunction = undefined;
}

class CustomMeetingAccess extends MeetingAccess {
  constructor(public readonly accessFunction: lambda.IFunction) {
    super();
  }
}
