#!/usr/bin/env node
// The example app: `npx cdk synth` synthesizes it offline, with no AWS credentials and no Docker.
import { App, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { ChimeJoinService } from '../lib';

const app = new App();

// The first stack uses every default, so its template is what a user gets from `new ChimeJoinService(...)`.
const stack = new Stack(app, 'ChimeJoinServiceExample', {
  description: 'Amazon Chime SDK meetings join service (cdk-chime-join-service example)',
});
const joinService = new ChimeJoinService(stack, 'JoinService');

// A role a web backend could assume to join users, and nothing else.
const joiner = new iam.Role(stack, 'JoinerRole', { assumedBy: new iam.AccountRootPrincipal() });
joinService.grantJoin(joiner);

app.synth();
