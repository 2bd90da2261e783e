// The example app, as a function so the tests can check the very app `npx cdk synth` synthesizes.
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ChimeJoinService } from '../lib';

export function buildExampleApp(app = new App()): { app: App; stack: Stack; joinService: ChimeJoinService } {
  // The first stack uses every default, so its template is what a user gets from `new ChimeJoinService(...)`.
  const stack = new Stack(app, 'ChimeJoinServiceExample', {
    description: 'Amazon Chime SDK meetings join service (cdk-chime-join-service example)',
  });
  const joinService = new ChimeJoinService(stack, 'JoinService');

  // A role a web backend could assume to join users, and nothing else.
  const joiner = new iam.Role(stack, 'JoinerRole', { assumedBy: new iam.AccountRootPrincipal() });
  joinService.grantJoin(joiner);
  Validations.of(joiner).acknowledge({
    id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<JoinServiceApi0D4C2C47>/<JoinServiceApiDeploymentStageprod2B37157F>/POST/meetings/*/attendees]',
    reason:
      'The wildcard is the {MeetingId} path parameter: the role may join users to any meeting, through the join route only.',
  });
  // grantJoin writes the join route into this role's own policy, which lives and dies with the role.
  for (const id of [
    'NIST.800.53.R5-IAMNoInlinePolicy',
    'HIPAA.Security-IAMNoInlinePolicy',
    'PCI.DSS.321-IAMNoInlinePolicy',
  ]) {
    Validations.of(joiner).acknowledge({
      id,
      reason:
        "The inline policy is this role's own grant of one API route (grantJoin), created and deleted with the role; " +
        'a managed policy would hold the same statement in a document other principals could be attached to.',
    });
  }
  return { app, stack, joinService };
}
