/**
 * The Flex plugin's entry, as Twilio's plugin template has it: Flex loads the bundle and
 * `loadPlugin` hands the plugin to `Twilio.Flex.Plugins.init`, which calls its `init(flex, manager)`.
 */
import * as FlexPlugin from '@twilio/flex-plugin';
import DaspeakVoicePlugin from './DaspeakVoicePlugin';

FlexPlugin.loadPlugin(DaspeakVoicePlugin);
