import * as apigateway from 'aws-cdk-lib/aws-apigateway';

/**
 * How callers of the join service prove who they are.
 *
 * Create one with a static factory; the default is `JoinAuthorization.iam()`.
 */
export abstract class JoinAuthorization {
  /**
   * Every route requires a SigV4-signed request (API Gateway `AWS_IAM` authorization).
   *
   * Allow principals with `ChimeJoinService.grantJoin()` (the single-join route) or
   * `ChimeJoinService.grantAdmin()` (every route). Because IAM decides who may call which route,
   * the body must name the `ExternalUserId` to join.
   */
  public static iam(): JoinAuthorization {
    return new IamJoinAuthorization();
  }

  /** The name of the mode, as the handlers receive it in their environment. */
  public abstract readonly mode: string;

  /** The API Gateway authorization type of every route's method. */
  public abstract readonly authorizationType: apigateway.AuthorizationType;
}

class IamJoinAuthorization extends JoinAuthorization {
  public readonly mode = 'iam';
  public readonly authorizationType = apigateway.AuthorizationType.IAM;
}
