/**
 * Stopping the real programs tests start (direwolf, js8call, pulseaudio): the simulators' own
 * helper, which stops socat the same way.
 */
export { stopProcessGroup } from '../../hardware-sim/process-group.js'
