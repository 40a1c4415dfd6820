import { describe, expect, it } from 'vitest';
import { exampleFlowsConfig } from '../../../src/flows/example.js';
import { renderFlows } from '../../../src/flows/render.js';
import { formatFlowIssue, kitCatalog, validateFlows, type FlowIssue } from '../../../src/flows/validate/index.js';

const config = exampleFlowsConfig();
const catalog = kitCatalog(config);
const rendered = renderFlows(config).flows;
const files = () => rendered.map((f) => ({ file: `flows/${f.file}`, text: f.text }));

/** Replaces the first occurrence of `from` in one rendered file; returns the files and the 1-based line changed. */
function inject(file: string, from: string, to: string) {
  const all = files();
  const target = all.find((f) => f.file.endsWith(file))!;
  const at = target.text.indexOf(from);
  if (at < 0) throw new Error(`${from} not in ${file}`);
  target.text = target.text.slice(0, at) + to + target.text.slice(at + from.length);
  return { all, line: target.text.slice(0, at).split('\n').length, col: at - target.text.lastIndexOf('\n', at - 1) };
}

function errors(all: { file: string; text: string }[]): FlowIssue[] {
  return validateFlows(all, catalog).issues.filter((i) => i.severity === 'error');
}

describe('flows validate: the rendered flows', () => {
  it('validate with no error and no warning', () => {
    const r = validateFlows(files(), catalog);
    expect(r.issues.map(formatFlowIssue)).toEqual([]);
    expect(r.flows.map((f) => f.name)).toEqual(['daspeak Register', 'daspeak Verify', 'daspeak Example Inbound']);
  });
});

describe('flows validate: injected defects are caught at their line', () => {
  it.each([
    ['unknown data action', 'example-inbound.yaml', '"daspeak Get Consent":', '"daspeak Get Consnt":', 'flow.unknown_data_action', 'did you mean'],
    ['misspelled input', 'verify.yaml', 'conversationId:\n                                    exp: Common.ConversationId', 'conversationID:\n                                    exp: Common.ConversationId', 'flow.unknown_input', 'did you mean "conversationId"'],
    ['wrong output type', 'verify.yaml', 'found:\n                                    var: Task.Found', 'found:\n                                    var: Task.Status', 'flow.output_type', 'boolean'],
    ['undeclared variable', 'register.yaml', 'exp: Common.Result == "" and Task.ConsentStatus != "granted"', 'exp: Common.Result == "" and Task.ConsentStat != "granted"', 'expression.undeclared_variable', 'Task.ConsentStatus'],
    ['bad expression', 'example-inbound.yaml', 'exp: Flow.Result == "not-registered"', 'exp: Flow.Result == "not-registered" and', 'expression.syntax', undefined],
    ['dangling reference', 'register.yaml', 'startUpRef: ./tasks/task[register]', 'startUpRef: ./tasks/task[registr]', 'flow.dangling_ref', 'register'],
    ['missing output', 'verify.yaml', 'isOutput: true\n    - decimalVariable:\n        name: Common.Score', 'isOutput: false\n    - decimalVariable:\n        name: Common.Score', 'flow.unknown_output', 'Common.Reason'],
  ])('%s', (_what, file, from, to, code, hint) => {
    const { all } = inject(file, from, to);
    const found = errors(all).filter((e) => e.code === code);
    expect(found.length).toBeGreaterThan(0);
    // The reported position is on the changed text (the caller's line for a module's missing output).
    const text = all.find((f) => f.file === found[0]!.file)!.text;
    const line = text.split('\n')[found[0]!.line - 1]!;
    if (code === 'flow.unknown_output') expect(line).toContain('Common.Reason');
    else expect(to.split('\n').some((t) => line.includes(t.trim().split(' ')[0]!))).toBe(true);
    if (hint) expect(`${found[0]!.message} ${found[0]!.hint ?? ''}`).toContain(hint);
    expect(formatFlowIssue(found[0]!)).toMatch(/^flows\/[\w-]+\.yaml:\d+:\d+ /);
  });

  it('points inside the expression at the offending token', () => {
    const { all, line, col } = inject('example-inbound.yaml', 'exp: Flow.Result == "not-registered"', 'exp: Flow.Result === "not-registered"');
    const e = errors(all)[0]!;
    expect(e.line).toBe(line);
    expect(e.col).toBe(col + 'exp: Flow.Result =='.length);
  });
});

describe('flows validate: voice credentials never enter a flow that cannot keep them secure', () => {
  /** A third party's action that hands out a credential, and one that takes one. */
  const vault = (secure: boolean) => ({
    ...catalog,
    dataActions: [
      ...catalog.dataActions,
      { category: 'Vault', name: 'Read Secret', secure, inputs: { id: 'string' as const }, required: ['id'], outputs: { credential: 'string' as const } },
      { category: 'Vault', name: 'Use Secret', secure, inputs: { credential: 'string' as const }, required: ['credential'], outputs: {} },
    ],
  });
  const flow = (type: string, variable: string, extra = '') => `${type}:
  name: Vault
  defaultLanguage: en-us
  supportedLanguages:
    en-us:
      defaultLanguageSkill:
        noValue: true
  startUpRef: ./tasks/task[t]
  variables:
    - stringVariable:
        name: ${variable}
        initialValue:
          noValue: true
  tasks:
    - task:
        name: T
        refId: t
        actions:
          - callData:
              name: Read
              category:
                Vault:
                  dataAction:
                    Read Secret:
                      inputs:
                        id:
                          lit: x
                      successOutputs:
                        credential:
                          var: ${variable}
          - callData:
              name: Use
              category:
                Vault:
                  dataAction:
                    Use Secret:
                      inputs:
                        credential:
                          exp: ${variable}
${extra}          - disconnect:
              name: Bye
`;
  const codes = (text: string, secure = true) =>
    validateFlows([{ file: 'vault.yaml', text }], vault(secure)).issues.filter((i) => i.severity === 'error').map((i) => i.code);

  it('the rendered flows hold no secure variable and no credential at all', () => {
    for (const f of rendered) {
      expect(f.text).not.toMatch(/Secure\./);
      // No data action input or output carries one (the word is only in descriptions and reason codes).
      expect(f.text).not.toMatch(/^\s*credential\w*:/im);
    }
  });
  it('in an inbound call flow or a common module: a Secure. variable and a credential output or input are errors', () => {
    const inbound = codes(flow('inboundCall', 'Secure.Credential'));
    expect(inbound).toContain('security.secure_variable_flow_type');
    expect(inbound).toContain('security.credential_in_flow');
    const plain = codes(flow('inboundCall', 'Flow.Credential'));
    expect(plain.filter((c) => c === 'security.credential_in_flow')).toHaveLength(2);
    const module = inject('register.yaml', '    - stringVariable:\n        name: Common.Reason', '    - stringVariable:\n        name: Secure.Token\n        initialValue:\n          noValue: true\n    - stringVariable:\n        name: Common.Reason');
    const found = errors(module.all).filter((e) => e.code === 'security.secure_variable_flow_type');
    expect(found).toHaveLength(1);
    expect(module.all.find((f) => f.file.endsWith('register.yaml'))!.text.split('\n')[found[0]!.line - 1]).toContain('Secure.Token');
  });
  it('in a secure call flow: only through Secure. variables and secure data actions', () => {
    expect(codes(flow('secureCall', 'Secure.Credential'))).toEqual([]);
    expect(codes(flow('secureCall', 'Flow.Credential'))).toContain('security.credential_not_secure');
    expect(codes(flow('secureCall', 'Secure.Credential'), false)).toContain('security.credential_action_not_secure');
    const decided = flow('secureCall', 'Secure.Credential', '          - decision:\n              name: Peek\n              condition:\n                exp: Secure.Credential == ""\n');
    expect(codes(decided)).toContain('security.secure_read');
  });
  it('never in participant data', () => {
    const { all } = inject('example-inbound.yaml', 'lit: daspeak.reason\n                    value:\n                      exp: Flow.Reason', 'lit: daspeak.credential\n                    value:\n                      exp: Flow.Reason');
    expect(errors(all).map((e) => e.code)).toContain('security.credential_in_participant_data');
  });
  it('a secure data action called from an inbound call flow is a warning (undocumented), not an error', () => {
    const insecure = { ...catalog, dataActions: catalog.dataActions.map((a) => ({ ...a, secure: true })) };
    const r = validateFlows(files(), insecure);
    expect(r.errors).toBe(0);
    expect(r.issues.some((i) => i.code === 'security.secure_action_outside_secure_flow')).toBe(true);
  });
});

describe('flows validate: never refuses valid Archy it does not model', () => {
  it('warns about unknown actions, keys and functions but reports no error', () => {
    const yaml = `inboundCall:
  name: Other
  defaultLanguage: en-us
  supportedLanguages:
    en-us:
      defaultLanguageSkill:
        noValue: true
  startUpRef: "/inboundCall/tasks/task[t1]"
  someNewSetting: true
  variables:
    - stringVariable:
        name: Flow.x
        initialValue:
          noValue: true
  tasks:
    - task:
        name: T
        refId: t1
        actions:
          - evaluateScheduleGroup:
              name: Hours
              outputs:
                open:
                  actions:
                    - playAudio:
                        name: Hi
                        audio:
                          exp: ToAudioTTS(SomeFunction(Flow.x))
          - playAudio:
              name: P
              audio:
                prompt: PromptSystem.voicemail_greeting
              bargeIn: true
          - disconnect:
              none: true
`;
    const r = validateFlows([{ file: 'other.yaml', text: yaml }], catalog);
    expect(r.errors).toBe(0);
    expect(r.issues.map((i) => i.code).sort()).toEqual(
      ['expression.unknown_function', 'flow.unknown_action', 'flow.unknown_key', 'flow.unknown_key'].sort(),
    );
  });
  it('reports a YAML syntax error with its position', () => {
    const r = validateFlows([{ file: 'bad.yaml', text: 'inboundCall:\n  name: [oops\n' }], catalog);
    expect(r.issues[0]).toMatchObject({ severity: 'error', code: 'yaml.syntax', line: 3 });
  });
});
