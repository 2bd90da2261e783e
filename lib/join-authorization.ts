import { Annotations, Token } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import { type Construct } from 'constructs';
import { DEFAULT_ADMIN_GROUP, DEFAULT_IDENTITY_CLAIM, ENV } from './contract';
import { REASONS } from './nag-acknowledgements';

/** Options of `JoinAuthorization.cognito()`. */
export interface CognitoJoinAuthorizationOptions {
  /**
   * The ID-token claim whose value is the caller's ExternalUserId. Its value must be 2 to 64 characters of the
   * ExternalUserId character set (a Cognito `sub` is a UUID, which is). An empty name, or one with leading or
   * trailing white space, fails synthesis.
   *
   * @default 'sub'
   */
  readonly identityClaim?: string;

  /**
   * The user pool group whose members are administrators: they may batch-join, list and delete attendees and
   * look up any user's attendees. Only a group of exactly this name counts (read from the verified token's
   * `cognito:groups` list). An empty or blank name, or one over Cognito's 128 characters, fails synthesis.
   *
   * @default 'admins'
   */
  readonly adminGroup?: string;
}

/** Options of `JoinAuthorization.iam()`. */
export interface IamJoinAuthorizationOptions {
  /**
   * Admit only the principals granted through the construct. IAM authorization lets through any principal whose
   * identity policies allow `execute-api:Invoke` on the API, and the handlers take every signed caller as an
   * administrator: without this option, a role of your account with a broad `execute-api:Invoke` (an `*`
   * resource, an administrator's policy) may call every route. With it, the API gets a resource policy that denies
   * every principal but those passed to `grantJoin` (the join routes) and `grantAdmin` (every route), by their ARN
   * (`aws:PrincipalArn`: the role of an assumed-role session). Grant roles or users; the grants must be made in the
   * app that synthesizes the API.
   *
   * @default false
   */
  readonly grantedPrincipalsOnly?: boolean;
}

/**
 * How callers of the join service prove who they are, and so which ExternalUserId they may join as.
 *
 * Create one with a static factory; the default is `JoinAuthorization.iam()`. Whatever the mode, the handlers
 * check the caller again from the request context, so a request that reaches a function another way cannot
 * bypass the rules.
 */
export abstract class JoinAuthorization {
  /**
   * Every route requires a SigV4-signed request (API Gateway `AWS_IAM` authorization).
   *
   * Allow principals with `ChimeJoinService.grantJoin()` (the single-join route) or
   * `ChimeJoinService.grantAdmin()` (every route). The caller is an IAM principal acting for its users, so the
   * request body names the ExternalUserId to join.
   *
   * @param options whether the API admits only the principals granted through the construct (a resource policy)
   */
  public static iam(options: IamJoinAuthorizationOptions = {}): JoinAuthorization {
    return new IamJoinAuthorization(options);
  }

  /**
   * Callers present an ID token of the given Cognito user pool in the `Authorization` header.
   *
   * The caller's ExternalUserId is the token's `identityClaim` (default `sub`), never taken from the body: a body
   * that names another ExternalUserId is refused with 403. Batch joins, meeting lists, deletes and other users'
   * lookups need membership of the `adminGroup` (default `admins`).
   *
   * @param userPool the user pool whose ID tokens callers present
   * @param options which token claim names the caller and which group holds the administrators
   */
  public static cognito(userPool: cognito.IUserPool, options: CognitoJoinAuthorizationOptions = {}): JoinAuthorization {
    return new CognitoJoinAuthorization(userPool, options);
  }

  /**
   * A Lambda authorizer of your own decides; its context must supply `externalUserId` (the caller's
   * ExternalUserId) and `isAdmin` (`"true"` for administrators).
   *
   * The same rules as for Cognito apply: the body cannot name another user, and the admin routes need `isAdmin`.
   *
   * @param authorizer the API Gateway authorizer that runs before every route
   */
  public static custom(authorizer: apigateway.IAuthorizer): JoinAuthorization {
    return new CustomJoinAuthorization(authorizer);
  }

  /**
   * No authorization at all: anyone who can reach the API may join anyone to any meeting, list attendees and
   * delete them. Only for demos and private networks; synthesis adds a warning to the construct, and cdk-nag's
   * AwsSolutions-APIG4 and AwsSolutions-COG4 findings on every route are left for you to acknowledge.
   */
  public static none(): JoinAuthorization {
    return new OpenJoinAuthorization();
  }

  /**
   * Use the static factories: the modes are the four this library's handlers know how to enforce.
   */
  protected constructor() {}

  /** The name of the mode: `iam`, `cognito`, `custom` or `none`. */
  public abstract readonly mode: string;

  /**
   * Whether a join request must name its ExternalUserId in the body (it must when the caller's identity is not a
   * user's).
   */
  public abstract readonly bodyNamesUser: boolean;

  /** @internal */
  public abstract _bind(scope: Construct): BoundJoinAuthorization;

  /**
   * IAM mode: whether the API admits only the principals granted through the construct (a resource policy).
   *
   * @internal
   */
  // Stryker disable next-line BlockStatement: an empty getter answers undefined, which every caller reads as false
  public get _grantedPrincipalsOnly(): boolean {
    return false;
  }

  /**
   * What is wrong with the mode's options, each problem naming its option; checked at synthesis.
   *
   * @internal
   */
  public _problems(): string[] {
    return [];
  }
}

/** @internal What a mode gives the API's methods and the handlers. */
export interface BoundJoinAuthorization {
  readonly methodOptions: apigateway.MethodOptions;
  readonly environment: Record<string, string>;
  /** cdk-nag rules this mode raises on each route's method by design, with the reason. */
  readonly methodAcknowledgements: Record<string, string>;
}

class IamJoinAuthorization extends JoinAuthorization {
  public readonly mode = 'iam';
  public readonly bodyNamesUser = true;
  constructor(private readonly options: IamJoinAuthorizationOptions) {
    super();
  }
  /** @internal */
  public get _grantedPrincipalsOnly(): boolean {
    return this.options.grantedPrincipalsOnly === true;
  }
  public _bind(): BoundJoinAuthorization {
    return {
      methodOptions: { authorizationType: apigateway.AuthorizationType.IAM },
      environment: { [ENV.authMode]: this.mode },
      methodAcknowledgements: { 'AwsSolutions-COG4': REASONS.iamNotCognito },
    };
  }
}

class CognitoJoinAuthorization extends JoinAuthorization {
  public readonly mode = 'cognito';
  public readonly bodyNamesUser = false;
  constructor(
    private readonly userPool: cognito.IUserPool,
    private readonly options: CognitoJoinAuthorizationOptions,
  ) {
    super();
  }
  /**
   * An empty option would not mean "none": the handlers would fall back to `sub` and `admins`, granting more than
   * was meant. Tokens are left to deployment.
   */
  public _problems(): string[] {
    const problems: string[] = [];
    const { adminGroup, identityClaim } = this.options;
    if (adminGroup !== undefined && !Token.isUnresolved(adminGroup)) {
      if (adminGroup.trim() === '' || adminGroup.length > 128) {
        problems.push(
          `JoinAuthorization.cognito() adminGroup must name a user pool group (1 to 128 characters), got "${adminGroup}"`,
        );
      }
    }
    if (identityClaim !== undefined && !Token.isUnresolved(identityClaim)) {
      if (identityClaim === '' || identityClaim.trim() !== identityClaim) {
        problems.push(
          `JoinAuthorization.cognito() identityClaim must name a token claim, got "${identityClaim}"` +
            ' (no empty name, no leading or trailing white space)',
        );
      }
    }
    return problems;
  }

  public _bind(scope: Construct): BoundJoinAuthorization {
    const authorizer = new apigateway.CognitoUserPoolsAuthorizer(scope, 'CognitoAuthorizer', {
      cognitoUserPools: [this.userPool],
    });
    return {
      methodOptions: { authorizationType: apigateway.AuthorizationType.COGNITO, authorizer },
      environment: {
        [ENV.authMode]: this.mode,
        [ENV.authIdentityClaim]: this.options.identityClaim ?? DEFAULT_IDENTITY_CLAIM,
        [ENV.authAdminGroup]: this.options.adminGroup ?? DEFAULT_ADMIN_GROUP,
      },
      methodAcknowledgements: {},
    };
  }
}

class CustomJoinAuthorization extends JoinAuthorization {
  public readonly mode = 'custom';
  public readonly bodyNamesUser = false;
  constructor(private readonly authorizer: apigateway.IAuthorizer) {
    super();
  }
  public _bind(): BoundJoinAuthorization {
    return {
      methodOptions: { authorizationType: apigateway.AuthorizationType.CUSTOM, authorizer: this.authorizer },
      environment: { [ENV.authMode]: this.mode },
      methodAcknowledgements: { 'AwsSolutions-COG4': REASONS.customNotCognito },
    };
  }
}

class OpenJoinAuthorization extends JoinAuthorization {
  public readonly mode = 'none';
  public readonly bodyNamesUser = true;
  public _bind(scope: Construct): BoundJoinAuthorization {
    Annotations.of(scope).addWarningV2(
      'cdk-chime-join-service:openApi',
      'JoinAuthorization.none(): every route of this join service is open to anyone who can reach it, including ' +
        'batch joins, attendee lists and deletes. Use JoinAuthorization.iam(), cognito() or custom() in production.',
    );
    return {
      // Stryker disable next-line ObjectLiteral: a method without an authorization type is NONE in API Gateway and CDK
      methodOptions: { authorizationType: apigateway.AuthorizationType.NONE },
      environment: { [ENV.authMode]: this.mode },
      // No acknowledgement: an open API is a finding its owner acknowledges, with their own reason (README).
      methodAcknowledgements: {},
    };
  }
}
