package io.vmc.transport;

/**
 * Credentials of the process on the other end of a unix socket ({@code SO_PEERCRED}).
 *
 * @param pid process id
 * @param uid user id
 * @param gid group id
 */
public record PeerCredentials(int pid, int uid, int gid) {}
