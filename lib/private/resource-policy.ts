import { Lazy } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as iam from 'aws-cdk-lib/aws-iam';
import { OPERATION_TABLE } from '../operations';

/**
 * The API's resource policy in IAM mode with `grantedPrincipalsOnly`: only the principals granted through the
 * construct (`grantJoin`, `grantAdmin`) may invoke it, whatever their identity policies say. Without it, any
 * principal of the account whose policies allow `execute-api:Invoke` on the API (an `*` resource, an admin role) is
 * let through, and the handlers take every signed caller as an administrator.
 *
 * Three statements, built when the template is synthesized (after every grant):
 * - Deny everyone but the granted principals (by `aws:PrincipalArn`, the role of an assumed-role session);
 * - Deny everyone but the `grantAdmin` principals every route but the join routes;
 * - Allow the granted principals (a principal of another account needs the resource policy's Allow too).
 * Resources use API Gateway's `execute-api:/stage/METHOD/path` form: the API's own ARN would make the policy
 * depend on the API it belongs to.
 */
export class GranteePolicy {
  private readonly joiners: string[] = [];
  private readonly admins: string[] = [];

  constructor(
    api: apigateway.RestApi,
    private readonly stageName: string,
  ) {
    (api.node.defaultChild as apigateway.CfnRestApi).policy = Lazy.any({ produce: () => this.document() });
  }

  /** Records a grant: `admin` for every route, else the join routes. */
  public add(grantee: iam.IGrantable, admin: boolean): void {
    const arns = principalArns(grantee);
    (admin ? this.admins : this.joiners).push(...arns);
  }

  private document() {
    const everyone = unique([...this.admins, ...this.joiners]);
    const admins = unique(this.admins);
    const all = `execute-api:/${this.stageName}/*`;
    const joinRoutes = OPERATION_TABLE.filter((row) => row.joinGrant).map(
      (row) => `execute-api:/${this.stageName}/${row.method}${row.path.replace(/\{[^}]+\}/g, '*')}`,
    );
    const denyUnless = (arns: string[], target: Record<string, unknown>, sid: string) => ({
      Sid: sid,
      Effect: 'Deny',
      Principal: '*',
      Action: 'execute-api:Invoke',
      ...target,
      // Nobody granted: nobody admitted (an empty condition list would be invalid).
      ...(arns.length > 0 && { Condition: { ArnNotEquals: { 'aws:PrincipalArn': arns } } }),
    });
    return {
      Version: '2012-10-17',
      Statement: [
        denyUnless(everyone, { Resource: all }, 'OnlyGrantedPrincipals'),
        denyUnless(admins, { NotResource: joinRoutes }, 'OnlyAdminsBeyondJoin'),
        ...(everyone.length > 0
          ? [
              {
                Sid: 'GrantedPrincipals',
                Effect: 'Allow',
                Principal: '*',
                Action: 'execute-api:Invoke',
                Resource: all,
                Condition: { ArnEquals: { 'aws:PrincipalArn': everyone } },
              },
            ]
          : []),
      ],
    };
  }
}

/** The ARNs a grantee's principal stands for; a principal without one (a service) cannot be named in the policy. */
function principalArns(grantee: iam.IGrantable): string[] {
  const aws = grantee.grantPrincipal.policyFragment.principalJson.AWS;
  if (!aws || aws.length === 0) {
    throw new Error(
      'grantedPrincipalsOnly admits principals by ARN (aws:PrincipalArn): grant a role or a user, not ' +
        `${grantee.grantPrincipal.toString()}`,
    );
  }
  return aws;
}

/** Distinct values (a token is the same placeholder string each time it is rendered). */
const unique = (values: string[]) => [...new Set(values)];
