package io.vmc.engine.internal.transport;

import io.vmc.engine.internal.RateLimiter;
import java.io.IOException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.tls.AlertDescription;
import org.bouncycastle.tls.DTLSTransport;
import org.bouncycastle.tls.TlsFatalAlertReceived;
import org.bouncycastle.tls.crypto.impl.bc.BcTlsCrypto;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One DTLS-SRTP association on an ICE component (RFC 5763, RFC 5764): runs BouncyCastle's DTLS
 * 1.2 handshake as client or server over the datagrams the demultiplexer hands to
 * {@link #receive}, checks the peer's certificate against the signalled fingerprint, and exports
 * the SRTP keys. It reports exactly one outcome per {@link #start}/{@link #restart}: {@link
 * Listener#onConnected} with the keys, or {@link Listener#onFailed} with a reason; after success,
 * a peer's close or fatal alert is reported through {@link Listener#onFailed} too (the media must
 * stop: its keys are gone on the other side).
 *
 * <p>Limits at this trust boundary (the network): datagrams larger than {@link #MAX_DATAGRAM_BYTES},
 * that fail {@link DtlsRecords#check}, beyond {@link #MAX_INBOUND_DATAGRAMS_PER_SECOND}, or beyond
 * {@link #MAX_QUEUED_DATAGRAMS} waiting are dropped and counted; a handshake that has not completed
 * after the handshake timeout fails.
 *
 * <p>Each association (its BouncyCastle client or server, checks and keys) is a {@link
 * DtlsAssociation}; this class owns the inbound limits, the lifecycle and the listener.
 *
 * <p>Threads: {@link #receive} on the socket's receive thread (never blocks); one DTLS thread per
 * association runs the handshake, then reads the association until it ends (our retransmissions of
 * the last flight, alerts) and calls the listener. {@link #start}, {@link #restart}, {@link #close}:
 * any thread.
 */
public final class DtlsSrtpEndpoint implements DtlsTransport {
    private static final Logger LOG = LoggerFactory.getLogger(DtlsSrtpEndpoint.class);

    /** A handshake not complete after this fails. DTLS retransmits at 0.4, 1.2, 2.8, 6 s within it. */
    public static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(10);
    /**
     * First retransmission of an unanswered flight; BouncyCastle doubles it each time. RFC 6347
     * section 4.2.4.1 suggests 1 s but allows less; ICE has just shown the path works, so a lost
     * flight should cost less than a second of silence.
     */
    public static final int INITIAL_RETRANSMIT_MILLIS = 400;
    /** Inbound DTLS datagrams waiting for the DTLS thread; more are dropped. A handshake flight is a few. */
    public static final int MAX_QUEUED_DATAGRAMS = 32;
    /** Largest DTLS datagram accepted (and the receive limit BouncyCastle is given). */
    public static final int MAX_DATAGRAM_BYTES = 1500;
    /** Largest datagram the engine sends: BouncyCastle fragments handshake messages to fit (a safe IPv6 path MTU). */
    public static final int SEND_LIMIT_BYTES = 1200;
    /**
     * Inbound DTLS datagrams per second (burst {@link #MAX_INBOUND_BURST}). A handshake needs about
     * ten; each complete copy of a peer's previous flight makes BouncyCastle resend ours, so
     * without this a flood of ClientHellos would turn the engine into an amplifier.
     */
    public static final double MAX_INBOUND_DATAGRAMS_PER_SECOND = 100;
    public static final double MAX_INBOUND_BURST = 50;
    /** ClientHellos of a peer's next association kept while the current one runs, for {@link #restart}. */
    public static final int MAX_EARLY_CLIENT_HELLOS = 4;

    private static final AtomicInteger IDS = new AtomicInteger();

    /** Outcomes, on the endpoint's DTLS thread (never the socket's receive thread). */
    public interface Listener {
        /** The handshake completed and the peer proved the signalled certificate: SRTP may start. */
        void onConnected(DtlsSrtpSession session);

        /** The handshake failed, timed out, or an established association ended: the media must stop. */
        void onFailed(DtlsFailure failure);
    }

    /** Counters, for stats and tests. */
    public record Counters(long datagramsIn, long droppedMalformed, long droppedRateLimited, long droppedQueueFull,
            long droppedTooLarge, long handshakes, String lastMalformed) {
    }

    private final DtlsCertificate certificate;
    private final DtlsAssociation.Config config;
    private final PacketSender sender;
    private final Listener listener;
    private final RateLimiter inboundLimiter = new RateLimiter(MAX_INBOUND_DATAGRAMS_PER_SECOND, MAX_INBOUND_BURST);
    private final String name = "vmc-dtls-" + IDS.incrementAndGet();

    private final AtomicLong datagramsIn = new AtomicLong();
    private final AtomicLong droppedMalformed = new AtomicLong();
    private final AtomicLong droppedRateLimited = new AtomicLong();
    private final AtomicLong droppedQueueFull = new AtomicLong();
    private final AtomicLong droppedTooLarge = new AtomicLong();
    private final AtomicLong handshakes = new AtomicLong();
    private volatile String lastMalformed = "";

    /** The association in progress or established; before {@link #start} it only collects early datagrams. */
    private volatile DtlsAssociation current;
    /** ClientHellos that started the peer's next association while the current one ran. */
    private final ArrayDeque<byte[]> earlyHellos = new ArrayDeque<>();
    private boolean closed;

    /**
     * @param certificate our identity (its fingerprint is in our SDP)
     * @param profiles SRTP profiles to negotiate, best first ({@link SrtpProfile#DEFAULT_PREFERENCE})
     * @param sender sends a datagram to the peer over the ICE-selected pair (any thread may call it)
     */
    public DtlsSrtpEndpoint(DtlsCertificate certificate, List<SrtpProfile> profiles, PacketSender sender,
            Listener listener, Duration handshakeTimeout) {
        this.certificate = Objects.requireNonNull(certificate, "certificate");
        if (profiles.isEmpty()) throw new IllegalArgumentException("profiles must not be empty");
        this.sender = Objects.requireNonNull(sender, "sender");
        this.listener = Objects.requireNonNull(listener, "listener");
        if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) throw new IllegalArgumentException("handshakeTimeout must be positive");
        this.config = new DtlsAssociation.Config(new BcTlsCrypto(new SecureRandom()), certificate, List.copyOf(profiles), handshakeTimeout, name);
        this.current = new DtlsAssociation(config, null, null, newTransport());
    }

    public DtlsSrtpEndpoint(DtlsCertificate certificate, PacketSender sender, Listener listener) {
        this(certificate, SrtpProfile.DEFAULT_PREFERENCE, sender, listener, HANDSHAKE_TIMEOUT);
    }

    @Override
    public Fingerprint localFingerprint() {
        return certificate.fingerprint();
    }

    /**
     * Starts the handshake in {@code role}, expecting the peer's certificate to match
     * {@code remoteFingerprint}. Datagrams that arrived before (a peer client that got our answer
     * first) are handed to it.
     */
    @Override
    public synchronized void start(DtlsRole role, Fingerprint remoteFingerprint) {
        if (closed) throw new IllegalStateException("closed");
        if (current.role != null) throw new IllegalStateException("already started; use restart() for a new association");
        launch(new DtlsAssociation(config, Objects.requireNonNull(role, "role"), Objects.requireNonNull(remoteFingerprint, "remoteFingerprint"), current.transport));
    }

    /**
     * Ends the current association and starts a new one (RFC 8842 section 5.2: the roles or the
     * peer's fingerprint changed, typically with an ICE restart; see {@link DtlsSetup#needsNewAssociation}).
     * The old association reports nothing more; a ClientHello of the peer's new association that came
     * in early is handed to the new one when we are its server.
     */
    @Override
    public synchronized void restart(DtlsRole role, Fingerprint remoteFingerprint) {
        if (closed) throw new IllegalStateException("closed");
        DtlsAssociation old = current;
        QueuedDatagramTransport t = newTransport();
        if (role == DtlsRole.SERVER) {
            for (byte[] hello : earlyHellos) t.offer(hello);
        }
        earlyHellos.clear();
        launch(new DtlsAssociation(config, Objects.requireNonNull(role, "role"), Objects.requireNonNull(remoteFingerprint, "remoteFingerprint"), t));
        old.stop();
    }

    private void launch(DtlsAssociation a) {
        current = a;
        handshakes.incrementAndGet();
        Thread th = new Thread(() -> run(a), name + "-" + a.role.name().toLowerCase(java.util.Locale.ROOT));
        th.setDaemon(true);
        a.thread = th;
        th.start();
    }

    /**
     * A DTLS datagram from the peer (the demultiplexer's {@link Demux.Kind#DTLS}); copies what it
     * keeps, never blocks.
     */
    @Override
    public void receive(byte[] buf, int off, int len) {
        datagramsIn.incrementAndGet();
        if (len > MAX_DATAGRAM_BYTES) {
            droppedTooLarge.incrementAndGet();
            return;
        }
        String bad = DtlsRecords.check(buf, off, len);
        if (bad != null) {
            if (droppedMalformed.incrementAndGet() == 1) LOG.info("{}: dropping malformed DTLS from the peer: {}", name, bad);
            lastMalformed = bad;
            return;
        }
        if (!inboundLimiter.tryAcquire()) {
            if (droppedRateLimited.incrementAndGet() == 1) LOG.info("{}: DTLS datagrams beyond {}/s from the peer: dropping", name, (int) MAX_INBOUND_DATAGRAMS_PER_SECOND);
            return;
        }
        DtlsAssociation a = current;
        if (a.established) {
            // a ClientHello not of this association (as server: another random; as client: any
            // but our own) starts the peer's next one, whatever our role in it will be
            byte[] random = DtlsRecords.clientHelloRandom(buf, off, len);
            if (random != null && !Arrays.equals(random, a.clientRandom)) {
                keepEarlyHello(Arrays.copyOfRange(buf, off, off + len));
                return;
            }
        }
        if (!a.transport.offer(Arrays.copyOfRange(buf, off, off + len))) droppedQueueFull.incrementAndGet();
    }

    private synchronized void keepEarlyHello(byte[] hello) {
        if (earlyHellos.size() >= MAX_EARLY_CLIENT_HELLOS) earlyHellos.removeFirst();
        earlyHellos.addLast(hello);
    }

    public Counters counters() {
        return new Counters(datagramsIn.get(), droppedMalformed.get(), droppedRateLimited.get(), droppedQueueFull.get(),
                droppedTooLarge.get(), handshakes.get(), lastMalformed);
    }

    /** Datagrams waiting for the DTLS thread now (at most {@link #MAX_QUEUED_DATAGRAMS}). */
    public int queued() {
        return current.transport.queued();
    }

    /** Stops the association (no close_notify is sent: the media path is going away with it). */
    @Override
    public void close() {
        DtlsAssociation a;
        synchronized (this) {
            if (closed) return;
            closed = true;
            a = current;
            earlyHellos.clear();
        }
        a.stop();
    }

    /** ClientHellos kept for the peer's next association (tests). */
    synchronized int earlyClientHellos() {
        return earlyHellos.size();
    }

    /** Waits for the DTLS thread of the current association to end (tests). */
    void awaitThread(Duration d) throws InterruptedException {
        Thread t = current.thread;
        if (t != null) t.join(d.toMillis());
    }

    /**
     * One handshake between two throwaway endpoints wired to each other in memory. The first
     * handshake in a JVM took 0.1-0.9 s here (class loading, interpreted BouncyCastle), the next ones
     * about a tenth of that: an engine that runs this once at start, off the call path, spares its
     * first call that delay.
     *
     * @return how long it took
     * @throws IllegalStateException if it did not complete within {@link #HANDSHAKE_TIMEOUT}
     */
    public static Duration warmUp() {
        return handshakeInMemory((role, datagram) -> { });
    }

    /** {@link #warmUp}, showing each datagram to {@code tap} with the role of its sender (tests capture real flights with it). */
    static Duration handshakeInMemory(java.util.function.BiConsumer<DtlsRole, byte[]> tap) {
        long t0 = System.nanoTime();
        SecureRandom random = new SecureRandom();
        DtlsCertificate cc = DtlsCertificate.generate(java.time.Instant.now(), random);
        DtlsCertificate sc = DtlsCertificate.generate(java.time.Instant.now(), random);
        java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(2);
        java.util.concurrent.atomic.AtomicReference<DtlsFailure> failed = new java.util.concurrent.atomic.AtomicReference<>();
        Listener l = new Listener() {
            @Override public void onConnected(DtlsSrtpSession session) { done.countDown(); }
            @Override public void onFailed(DtlsFailure failure) {
                failed.set(failure);
                done.countDown();
                done.countDown();
            }
        };
        DtlsSrtpEndpoint[] ends = new DtlsSrtpEndpoint[2];
        ends[0] = new DtlsSrtpEndpoint(cc, SrtpProfile.DEFAULT_PREFERENCE, (b, o, n) -> {
            tap.accept(DtlsRole.CLIENT, Arrays.copyOfRange(b, o, o + n));
            ends[1].receive(b, o, n);
        }, l, HANDSHAKE_TIMEOUT);
        ends[1] = new DtlsSrtpEndpoint(sc, SrtpProfile.DEFAULT_PREFERENCE, (b, o, n) -> {
            tap.accept(DtlsRole.SERVER, Arrays.copyOfRange(b, o, o + n));
            ends[0].receive(b, o, n);
        }, l, HANDSHAKE_TIMEOUT);
        try {
            ends[1].start(DtlsRole.SERVER, cc.fingerprint());
            ends[0].start(DtlsRole.CLIENT, sc.fingerprint());
            if (!done.await(HANDSHAKE_TIMEOUT.toMillis() + 1000, java.util.concurrent.TimeUnit.MILLISECONDS) || failed.get() != null) {
                throw new IllegalStateException("in-memory DTLS handshake did not complete: " + failed.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        } finally {
            ends[0].close();
            ends[1].close();
        }
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    private QueuedDatagramTransport newTransport() {
        return new QueuedDatagramTransport(sender, MAX_QUEUED_DATAGRAMS, MAX_DATAGRAM_BYTES, SEND_LIMIT_BYTES);
    }

    // ---- the DTLS thread

    private void run(DtlsAssociation a) {
        long t0 = System.nanoTime();
        DTLSTransport dtls;
        try {
            dtls = a.handshake(t0);
        } catch (IOException | RuntimeException e) {
            fail(a, a.classify(e, System.nanoTime() - t0));
            return;
        }
        a.transport.clearDeadline();
        DtlsSrtpSession s = a.session(System.nanoTime() - t0);
        a.established = true;
        if (!a.extendedMasterSecret) {
            LOG.warn("{}: the peer does not support the extended master secret (RFC 7627); SRTP keys exported from the plain master secret", name);
        }
        if (current == a) {
            LOG.info("{}: DTLS-SRTP {} as {} in {} ms ({})", name, s.keys().profile(), a.role, s.handshakeNanos() / 1_000_000, s.cipherSuite());
            listener.onConnected(s);
        }
        readUntilClosed(a, dtls);
    }

    /**
     * For the fuzz test: one handshake on the calling thread over {@code datagrams}, filtered as
     * {@link #receive} filters them, ending as soon as they are used up. Returns the failure it
     * ends with (null only if the datagrams completed a handshake).
     */
    DtlsFailure handshakeOver(DtlsRole role, Fingerprint remote, List<byte[]> datagrams) {
        QueuedDatagramTransport t = new QueuedDatagramTransport(sender, datagrams.size() + 1, MAX_DATAGRAM_BYTES, SEND_LIMIT_BYTES);
        for (byte[] d : datagrams) {
            if (d.length <= MAX_DATAGRAM_BYTES && DtlsRecords.check(d, 0, d.length) == null) t.offer(d);
        }
        t.endOfInput();
        DtlsAssociation a = new DtlsAssociation(config, role, remote, t);
        long t0 = System.nanoTime();
        try {
            a.handshake(t0);
            return null;
        } catch (IOException | RuntimeException e) {
            return a.classify(e, System.nanoTime() - t0);
        } finally {
            t.close();
        }
    }

    /** After the handshake: lets BouncyCastle answer a repeated last flight and see alerts, until the association ends. */
    private void readUntilClosed(DtlsAssociation a, DTLSTransport dtls) {
        byte[] buf = new byte[MAX_DATAGRAM_BYTES];
        try {
            while (!a.stopped && !a.peerClosed) {
                dtls.receive(buf, 0, buf.length, 1000); // application data (none is negotiated) is ignored
            }
            if (a.peerClosed) fail(a, new DtlsFailure(DtlsFailure.Kind.PEER_CLOSED, "the peer closed the DTLS association (close_notify)"));
        } catch (TlsFatalAlertReceived e) {
            fail(a, new DtlsFailure(DtlsFailure.Kind.PEER_ALERT, "the peer ended the DTLS association with fatal alert "
                    + AlertDescription.getText(e.getAlertDescription())));
        } catch (IOException | RuntimeException e) {
            if (!a.stopped) fail(a, new DtlsFailure(DtlsFailure.Kind.HANDSHAKE_ERROR, "DTLS association failed: " + e.getMessage()));
        }
    }

    private void fail(DtlsAssociation a, DtlsFailure f) {
        boolean report = current == a && !a.stopped;
        a.transport.close();
        if (report) {
            LOG.info("{}: {}", name, f);
            listener.onFailed(f);
        }
    }
}
