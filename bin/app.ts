#!/usr/bin/env node
// The example app: `npx cdk synth` synthesizes it offline, with no AWS credentials and no Docker.
import { buildExampleApp } from './example-app';

buildExampleApp().app.synth();
