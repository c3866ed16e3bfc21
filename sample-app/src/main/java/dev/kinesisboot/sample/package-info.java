/**
 * The order-events sample service.
 */
package dev.kinesisboot.sample;
