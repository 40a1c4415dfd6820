/**
 * The Archy YAML vocabulary the validator checks: flow types, their top-level keys, variable kinds,
 * and for each action its keys, how each key's value is written, and its named outputs. Each entry
 * says whether its YAML shape was seen in a public Archy export (`confirmed`) or follows from the
 * Architect Scripting SDK's class and the export naming pattern (`inferred`); the sources are in
 * docs/archy-yaml.md. Anything not listed is a warning, never an error.
 */
import type { ExprType } from '../expressions/index.js';

export type Status = 'confirmed' | 'inferred';

export type KeyKind =
  /** A plain string (an action's name, a verification type). */
  | { kind: 'text' }
  /** A value: `lit`, `exp` or `noValue: true`, of this type. */
  | { kind: 'value'; type: ExprType }
  /** Audio: `tts`, `exp` (audio), `prompt`, or `noValue: true`. */
  | { kind: 'audio' }
  /** Where an action writes a value: `var: Scope.Name` or `noValue: true`. */
  | { kind: 'binding'; type: ExprType }
  /** A reference to a task or menu of the same flow. */
  | { kind: 'ref'; target: 'task' | 'menu' }
  /** `outputs: {<name>: {actions: […]}}`. */
  | { kind: 'outputs' }
  /** Checked by the action's own rule (callData's category, updateData's statements…). */
  | { kind: 'special' }
  /** Known, not checked. */
  | { kind: 'any' };

export interface ActionSpec {
  status: Status;
  keys: Record<string, KeyKind>;
  outputs: string[];
  required?: string[];
  /** Ends the path it is on (nothing after it runs). */
  ends?: boolean;
  /** Only in these flow types (otherwise a warning). */
  flowTypes?: string[];
}

const text = { kind: 'text' } as const;
const value = (type: ExprType) => ({ kind: 'value', type }) as const;
const binding = (type: ExprType) => ({ kind: 'binding', type }) as const;
const audio = { kind: 'audio' } as const;
const outputs = { kind: 'outputs' } as const;
const special = { kind: 'special' } as const;
const any = { kind: 'any' } as const;

const CALL_FLOWS = ['inboundCall', 'inQueueCall', 'outboundCall', 'commonModule', 'secureCall'];

export const ACTIONS: Record<string, ActionSpec> = {
  callData: {
    status: 'confirmed',
    keys: {
      name: text,
      processingPrompt: audio,
      timeout: value('duration'),
      useSuggestedTimeout: value('boolean'),
      category: special,
      outputs,
    },
    outputs: ['success', 'failure', 'timeout'],
    required: ['category'],
  },
  callCommonModule: {
    status: 'confirmed',
    keys: { name: text, commonModule: special },
    outputs: [],
    required: ['commonModule'],
  },
  decision: {
    status: 'confirmed',
    keys: { name: text, condition: value('boolean'), outputs },
    outputs: ['yes', 'no'],
    required: ['condition'],
  },
  switch: {
    status: 'confirmed',
    keys: { name: text, evaluate: special, outputs },
    outputs: ['default'],
    required: ['evaluate'],
  },
  loop: {
    status: 'confirmed',
    keys: { name: text, currentIndex: binding('integer'), loopCount: value('integer'), outputs },
    outputs: ['loop'],
    required: ['loopCount'],
  },
  loopExit: { status: 'inferred', keys: { name: text }, outputs: [], ends: true },
  loopNext: { status: 'inferred', keys: { name: text }, outputs: [], ends: true },
  updateData: { status: 'confirmed', keys: { name: text, statements: special }, outputs: [] },
  setParticipantData: { status: 'confirmed', keys: { name: text, attributes: special }, outputs: [] },
  getParticipantData: { status: 'confirmed', keys: { name: text, attributes: special }, outputs: [] },
  collectInput: {
    status: 'confirmed',
    keys: {
      name: text,
      inputData: binding('string'),
      digits: special,
      interDigitTimeout: value('duration'),
      noEntryTimeout: value('duration'),
      inputAudio: audio,
      verificationAudio: audio,
      verificationType: text,
      acceptJustStar: value('boolean'),
      acceptJustPound: value('boolean'),
      outputs,
    },
    outputs: ['success', 'failure'],
    required: ['inputData', 'digits'],
    flowTypes: CALL_FLOWS,
  },
  playAudio: {
    status: 'confirmed',
    keys: { name: text, audio },
    outputs: [],
    required: ['audio'],
    flowTypes: CALL_FLOWS,
  },
  audioMonitoring: {
    status: 'inferred',
    keys: { name: text, enableMonitoring: value('boolean') },
    outputs: [],
    required: ['enableMonitoring'],
    flowTypes: ['inboundCall', 'outboundCall', 'commonModule'],
  },
  transferToAcd: {
    status: 'confirmed',
    keys: {
      name: text,
      targetQueue: value('queue'),
      preTransferAudio: audio,
      failureTransferAudio: audio,
      priority: value('integer'),
      preferredAgents: any,
      languageSkill: any,
      acdSkills: any,
    },
    outputs: [],
    required: ['targetQueue'],
    flowTypes: CALL_FLOWS,
  },
  disconnect: { status: 'confirmed', keys: { name: text, none: any }, outputs: [], ends: true },
  callTask: {
    status: 'confirmed',
    keys: { name: text, targetTaskRef: { kind: 'ref', target: 'task' } },
    outputs: [],
    required: ['targetTaskRef'],
  },
  jumpToTask: {
    status: 'inferred',
    keys: { name: text, targetTaskRef: { kind: 'ref', target: 'task' } },
    outputs: [],
    required: ['targetTaskRef'],
    ends: true,
  },
  jumpToMenu: {
    status: 'confirmed',
    keys: { name: text, targetMenuRef: { kind: 'ref', target: 'menu' } },
    outputs: [],
    required: ['targetMenuRef'],
    ends: true,
  },
  endTask: { status: 'inferred', keys: { name: text }, outputs: [], ends: true },
  wait: {
    status: 'confirmed',
    keys: { name: text, duration: value('duration'), trimDurationNearMaxRunningTime: value('boolean') },
    outputs: [],
    flowTypes: ['workflow'],
  },
  endWorkflow: { status: 'confirmed', keys: { name: text, exitReason: value('string') }, outputs: [], ends: true },
};

/** Archy top-level keys and the API flow type each publishes (as GET /api/v2/flows spells it). */
export const FLOW_TYPES: Record<string, string> = {
  inboundCall: 'inboundcall',
  inboundEmail: 'inboundemail',
  inboundChat: 'inboundchat',
  inboundShortMessage: 'inboundshortmessage',
  outboundCall: 'outboundcall',
  inQueueCall: 'inqueuecall',
  inqueueCall: 'inqueuecall',
  inQueueEmail: 'inqueueemail',
  inQueueShortMessage: 'inqueueshortmessage',
  commonModule: 'commonmodule',
  workflow: 'workflow',
  botFlow: 'bot',
  digitalBot: 'digitalbot',
  digitalBotFlow: 'digitalbot',
  secureCall: 'securecall',
  surveyInvite: 'surveyinvite',
  voicemail: 'voicemail',
  voiceSurvey: 'voicesurvey',
};

/** Flow types with a caller on a call: languages and a start-up task are required. */
export const CALL_FLOW_TYPES = new Set(['inboundCall', 'inQueueCall', 'inqueueCall', 'outboundCall', 'secureCall']);

/** Top-level keys seen per flow type (reference/archy.md §2, §5). Others are warnings. */
export const FLOW_KEYS: Record<string, string[]> = {
  inboundCall: [
    'name',
    'description',
    'division',
    'startUpRef',
    'defaultLanguage',
    'supportedLanguages',
    'initialGreeting',
    'settingsActionDefaults',
    'settingsErrorHandling',
    'settingsMenu',
    'settingsPrompts',
    'settingsSpeechRec',
    'menus',
    'tasks',
    'variables',
    'referencedObjects',
  ],
  commonModule: [
    'name',
    'description',
    'division',
    'startUpRef',
    'defaultLanguage',
    'supportedLanguages',
    'settingsActionDefaults',
    'settingsErrorHandling',
    'settingsPrompts',
    'settingsCommonModule',
    'tasks',
    'variables',
    'referencedObjects',
  ],
};

/** `<kind>Variable` declarations; the kind names match updateData's statement kinds. */
export const VARIABLE_DECLARATION = /^([a-zA-Z]+)Variable$/;

/** Failure outputs of every data action call (flattened error body), CONFIRMED in S2. */
export const DATA_ACTION_FAILURE_OUTPUTS = [
  'errorCode',
  'status',
  'correlationId',
  'entityId',
  'entityName',
  'userMessage',
  'userParamsMessage',
  'userParams.key',
  'userParams.value',
  'details.errorCode',
  'details.fieldName',
  'details.entityId',
  'details.entityName',
];
