import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ChimeJoinService, type ChimeJoinServiceProps } from '../../lib';

/**
 * A stack in a fixed environment holding one ChimeJoinService, and its synthesized template.
 * `extend` adds props that need the stack (a key, an existing table); `after` acts on the service before synth.
 */
export function synthService(
  props?: ChimeJoinServiceProps,
  extend?: (stack: Stack) => ChimeJoinServiceProps,
  after?: (service: ChimeJoinService, stack: Stack) => void,
) {
  const app = new App();
  const stack = new Stack(app, 'TestStack', { env: { account: '123456789012', region: 'us-east-1' } });
  const service = new ChimeJoinService(stack, 'JoinService', { ...props, ...extend?.(stack) });
  after?.(service, stack);
  return { app, stack, service, template: Template.fromStack(stack) };
}

/** Renders an intrinsic-laden value (Ref, Fn::GetAtt, Fn::Join) as a readable string for comparisons. */
export function render(value: unknown): string {
  if (typeof value === 'string') return value;
  const v = value as Record<string, unknown>;
  if ('Ref' in v) return `\${${v.Ref}}`;
  if ('Fn::GetAtt' in v) return `\${${(v['Fn::GetAtt'] as string[]).join('.')}}`;
  if ('Fn::Join' in v) {
    const [sep, parts] = v['Fn::Join'] as [string, unknown[]];
    return parts.map(render).join(sep);
  }
  return JSON.stringify(value);
}

/** The logical id of the only resource of a type whose logical id starts with a prefix. */
export function logicalId(template: Template, type: string, prefix: string): string {
  const ids = Object.keys(template.findResources(type)).filter((id) => id.startsWith(prefix));
  if (ids.length !== 1) throw new Error(`expected one ${type} starting with ${prefix}, found ${ids.join(', ')}`);
  return ids[0];
}

/** Every (action, resource) pair a role's inline policies allow, as `action on resource` strings, sorted. */
export function rolePermissions(template: Template, roleLogicalId: string): string[] {
  const pairs: string[] = [];
  for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
    const roles = (policy.Properties.Roles as unknown[]).map(render);
    if (!roles.includes(`\${${roleLogicalId}}`)) continue;
    for (const statement of policy.Properties.PolicyDocument.Statement) {
      expect(statement.Effect).toBe('Allow');
      for (const action of [statement.Action].flat()) {
        for (const resource of [statement.Resource].flat()) pairs.push(`${action} on ${render(resource)}`);
      }
    }
  }
  return pairs.sort();
}
