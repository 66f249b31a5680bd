/**
 * Fleet telemetry against a real Prometheus server (Debian {@code prometheus}): the demo's engines and
 * agentds scraped every second, their expositions checked with {@code promtool check metrics}, the
 * shipped alert rules and Grafana dashboard run against the server. Without Prometheus the tests are
 * skipped, except with {@code CI=true}, where they fail.
 */
package io.vmc.it.metrics;
