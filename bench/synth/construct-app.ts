// The consumer app of the synth benchmark: a stack with the join service and its defaults (bench/run.ts runs
// `cdk synth` on it and on l2-app.ts, the same service shape from bare L2 constructs).
import { App, Stack } from 'aws-cdk-lib';
import { ChimeJoinService } from '../../lib';

const app = new App();
const stack = new Stack(app, 'BenchJoinService');
new ChimeJoinService(stack, 'JoinService');
app.synth();
