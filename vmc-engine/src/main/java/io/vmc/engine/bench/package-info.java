/** {@code vmc bench engine}: CPU, memory, call setup and added latency of the engine. */
package io.vmc.engine.bench;
