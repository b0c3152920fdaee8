/**
 * Classes of gateway-to-gateway messages and the order the outbound queue sends them in.
 *
 * A new transaction goes first so a long sync never starves it; protocol control (hello, getdata,
 * ack) next because progress waits on it; then announcements, block bodies, sync batches, and beacons
 * last (a late beacon is replaced by the next one).
 *
 * @packageDocumentation
 */
import { z } from 'zod'

/** Every message class, highest priority first. */
export const MESSAGE_CLASSES = ['tx', 'control', 'block-announce', 'block-body', 'sync', 'beacon'] as const

/** A message class. */
export const MessageClassSchema = z.enum(MESSAGE_CLASSES)
/** A message class. */
export type MessageClass = z.infer<typeof MessageClassSchema>

/** Send priority of a class: 0 goes first (its position in {@link MESSAGE_CLASSES}). */
export function classPriority(c: MessageClass): number {
  return MESSAGE_CLASSES.indexOf(c)
}
