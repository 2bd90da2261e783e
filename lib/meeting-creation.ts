/** Who may create meetings in the token authorization modes (Cognito, custom authorizer). */
export enum MeetingCreation {
  /** Only administrators: `POST /meetings`, and `POST /join` creates a meeting only for an administrator. */
  ADMINS = 'admins',
  /** Any authenticated user; the user who creates a meeting is its host (who may end it). */
  ANY_USER = 'users',
}
