/**
 * Fault tests against the local servers: bad input, cut connections, restarted checkpoint
 * stores and killed worker processes.
 */
package dev.kinesisboot.faults;
