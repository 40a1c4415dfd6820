/**
 * Every string the agent sees, in one catalogue. English is the reference: a language missing a
 * key does not compile. The four error sentences are the seed's own wording.
 */
const en = {
  title: 'Voice authentication',
  loading: 'Loading…',
  signingIn: 'Signing in to Genesys Cloud…',
  signIn: 'Sign in',
  signInNeeded: 'Sign in to use voice authentication.',
  signInExpired: 'Your session has expired. Sign in again to go on: this call keeps its progress.',
  popupBlocked: 'The sign-in window was blocked. Select Sign in to open it.',
  popupBlockedAgain:
    'This widget may not open the sign-in window. Allow pop-ups for it: the integration needs allow-popups in its iframe sandbox setting.',
  popupClosed: 'The sign-in window was closed before signing in.',
  signInFailed: 'Sign-in failed: {reason}',
  noCall: 'No call selected. Voice authentication works on a voice call with a customer.',
  readingCall: 'Reading the call…',
  callerWithheld: "The caller's number is withheld: voice authentication needs it.",
  callerInvalid: "The caller's number ({ani}) is not a phone number voice authentication can use.",
  caller: 'Caller',
  status: 'Status',
  statusNotRegistered: 'Not registered',
  statusRegistered: 'Registered',
  statusRegisteredSince: 'Registered since {date}',
  statusVerified: 'Verified on this call (score {score})',
  statusFailed: 'Verification failed on this call',
  statusOutdatedModel: 'registered with an older voice model: register again',
  ivr: 'IVR',
  ivrScore: '(score {score})',
  ivrAt: 'at {time}',
  'ivr.registered': 'registered',
  'ivr.verified': 'verified',
  'ivr.not-verified': 'not verified',
  'ivr.spoof': 'pre-recorded voice',
  'ivr.not-registered': 'not registered',
  'ivr.no-audio': 'no audio',
  'ivr.no-consent': 'no consent',
  'ivr.error': 'error',
  register: 'Register User',
  authenticate: 'Authenticate User',
  reauthenticate: 'Re-Authenticate User',
  delete: 'Delete voice registration',
  confirmDeleteTitle: 'Delete the voice registration?',
  confirmDeleteBody: "The caller's voice registration for {ani} is deleted. This cannot be undone.",
  confirmDelete: 'Delete',
  cancel: 'Cancel',
  deleting: 'Deleting…',
  deleted: 'Voice registration deleted.',
  connecting: 'Connecting to das-Peak Streaming…',
  waitingAudio: "Waiting for the caller's audio…",
  collecting: 'Speech collected: {net} of {total} s',
  speechProgress: 'Net speech collected',
  analysing: 'Analysing the voice…',
  saving: 'Saving the registration…',
  registered: 'Voice registered.',
  verified: 'Voice verified. Score {score}.',
  'error.spoof.title': 'Spoof error',
  'error.spoof': 'Audio is tagged as pre-recorded voice.',
  'error.authentication.title': 'Authentication error',
  'error.authentication': "Audio can't be verified.",
  'error.configuration.title': 'Configuration error',
  'error.configuration': 'There is a wrong configuration.',
  'error.connection.title': 'Connection error',
  'error.connection': 'There is an error while connecting with das-Peak Streaming',
  saveFailed: 'The voice was registered but could not be saved ({reason}). Select Save again.',
  saveAgain: 'Save again',
  tryAgain: 'Try again',
  consent: 'Consent',
  consentQuestion: 'Did the caller agree to register their voice?',
  consentGranted: 'Consented',
  consentRefused: 'Refused',
  consentGrantedAt: 'Caller consented on {date}',
  consentRefusedAt: 'Caller refused on {date}',
  consentWithdrawnAt: 'Caller withdrew consent on {date}',
  consentRequired: 'Record the caller’s consent before registering.',
  consentRefusedBlock: 'The caller refused: their voice cannot be registered.',
  consentUnavailable: 'Consent is required but utils.js cannot record it (no recordConsent).',
  consentRecorded: 'Consent recorded.',
  consentRefusedRecorded: 'Refusal recorded.',
} as const;

export type MessageKey = keyof typeof en;
export type Catalogue = Record<MessageKey, string>;

const es: Catalogue = {
  title: 'Autenticación por voz',
  loading: 'Cargando…',
  signingIn: 'Iniciando sesión en Genesys Cloud…',
  signIn: 'Iniciar sesión',
  signInNeeded: 'Inicia sesión para usar la autenticación por voz.',
  signInExpired:
    'Tu sesión ha caducado. Vuelve a iniciar sesión para seguir: la llamada conserva su progreso.',
  popupBlocked: 'Se bloqueó la ventana de inicio de sesión. Pulsa Iniciar sesión para abrirla.',
  popupBlockedAgain:
    'Este widget no puede abrir la ventana de inicio de sesión. Permite las ventanas emergentes: la integración necesita allow-popups en el sandbox de su iframe.',
  popupClosed: 'Se cerró la ventana antes de iniciar sesión.',
  signInFailed: 'No se pudo iniciar sesión: {reason}',
  noCall:
    'No hay ninguna llamada seleccionada. La autenticación por voz funciona en una llamada de voz con un cliente.',
  readingCall: 'Leyendo la llamada…',
  callerWithheld: 'El número del llamante está oculto: la autenticación por voz lo necesita.',
  callerInvalid: 'El número del llamante ({ani}) no es un teléfono que la autenticación por voz pueda usar.',
  caller: 'Llamante',
  status: 'Estado',
  statusNotRegistered: 'No registrado',
  statusRegistered: 'Registrado',
  statusRegisteredSince: 'Registrado desde el {date}',
  statusVerified: 'Verificado en esta llamada (puntuación {score})',
  statusFailed: 'La verificación falló en esta llamada',
  statusOutdatedModel: 'registrado con un modelo de voz anterior: vuelve a registrarlo',
  ivr: 'IVR',
  ivrScore: '(puntuación {score})',
  ivrAt: 'a las {time}',
  'ivr.registered': 'registrado',
  'ivr.verified': 'verificado',
  'ivr.not-verified': 'no verificado',
  'ivr.spoof': 'voz pregrabada',
  'ivr.not-registered': 'no registrado',
  'ivr.no-audio': 'sin audio',
  'ivr.no-consent': 'sin consentimiento',
  'ivr.error': 'error',
  register: 'Registrar usuario',
  authenticate: 'Autenticar usuario',
  reauthenticate: 'Volver a autenticar',
  delete: 'Borrar el registro de voz',
  confirmDeleteTitle: '¿Borrar el registro de voz?',
  confirmDeleteBody: 'Se borra el registro de voz del llamante {ani}. No se puede deshacer.',
  confirmDelete: 'Borrar',
  cancel: 'Cancelar',
  deleting: 'Borrando…',
  deleted: 'Registro de voz borrado.',
  connecting: 'Conectando con das-Peak Streaming…',
  waitingAudio: 'Esperando el audio del llamante…',
  collecting: 'Voz recogida: {net} de {total} s',
  speechProgress: 'Voz neta recogida',
  analysing: 'Analizando la voz…',
  saving: 'Guardando el registro…',
  registered: 'Voz registrada.',
  verified: 'Voz verificada. Puntuación {score}.',
  'error.spoof.title': 'Error de suplantación',
  'error.spoof': 'El audio está marcado como voz pregrabada.',
  'error.authentication.title': 'Error de autenticación',
  'error.authentication': 'No se puede verificar el audio.',
  'error.configuration.title': 'Error de configuración',
  'error.configuration': 'Hay un error en la configuración.',
  'error.connection.title': 'Error de conexión',
  'error.connection': 'Hay un error al conectar con das-Peak Streaming',
  saveFailed: 'La voz se registró pero no se pudo guardar ({reason}). Pulsa Guardar de nuevo.',
  saveAgain: 'Guardar de nuevo',
  tryAgain: 'Reintentar',
  consent: 'Consentimiento',
  consentQuestion: '¿Aceptó el llamante registrar su voz?',
  consentGranted: 'Acepta',
  consentRefused: 'Rechaza',
  consentGrantedAt: 'El llamante aceptó el {date}',
  consentRefusedAt: 'El llamante rechazó el {date}',
  consentWithdrawnAt: 'El llamante retiró su consentimiento el {date}',
  consentRequired: 'Registra el consentimiento del llamante antes de registrar su voz.',
  consentRefusedBlock: 'El llamante lo rechazó: no se puede registrar su voz.',
  consentUnavailable: 'Se exige consentimiento pero utils.js no puede registrarlo (falta recordConsent).',
  consentRecorded: 'Consentimiento registrado.',
  consentRefusedRecorded: 'Rechazo registrado.',
};

export const CATALOGUES = { en, es } as const satisfies Record<string, Catalogue>;
export type Language = keyof typeof CATALOGUES;

/** The language of a BCP 47 tag ({{gcLangTag}}: `es`, `es-ES`, `en-us`…); English when unknown. */
export function languageOf(tag: string | null | undefined): Language {
  const primary = (tag ?? '').trim().toLowerCase().split(/[-_]/)[0] ?? '';
  return primary in CATALOGUES ? (primary as Language) : 'en';
}

export interface Translator {
  readonly language: Language;
  /** The locale for dates and numbers: the tag as given when it names this language. */
  readonly locale: string;
  t: (key: MessageKey, values?: Record<string, string | number>) => string;
  date: (iso: string) => string;
  time: (iso: string) => string;
  score: (value: number) => string;
}

export function translator(tag: string | null | undefined): Translator {
  const language = languageOf(tag);
  const catalogue: Catalogue = CATALOGUES[language];
  let locale: string = language;
  try {
    if (tag && languageOf(tag) === language) locale = Intl.getCanonicalLocales(tag)[0] ?? language;
  } catch {
    // A malformed tag: the bare language will do.
  }
  const dateFormat = new Intl.DateTimeFormat(locale, { dateStyle: 'medium' });
  const timeFormat = new Intl.DateTimeFormat(locale, { timeStyle: 'short' });
  const scoreFormat = new Intl.NumberFormat(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const when = (iso: string, format: Intl.DateTimeFormat) => {
    const d = new Date(iso);
    return Number.isNaN(d.getTime()) ? iso : format.format(d);
  };
  return {
    language,
    locale,
    t: (key, values) => {
      const text = catalogue[key];
      return values ? text.replace(/\{(\w+)\}/g, (m, name: string) => String(values[name] ?? m)) : text;
    },
    date: (iso) => when(iso, dateFormat),
    time: (iso) => when(iso, timeFormat),
    score: (value) => scoreFormat.format(value),
  };
}
