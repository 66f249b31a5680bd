package io.vmc.agent.api;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * One call's media, negotiated with SDP offer/answer like a WebRTC {@code RTCPeerConnection}.
 * The media itself runs where {@link Vmc#mode()} says; the app uses the same calls either way.
 *
 * <p>Caller side:
 * <pre>{@code
 * MediaSession call = vmc.newSession(SessionOptions.audioOnly());
 * call.onStateChange(state -> ui.show(state));
 * String offer = call.createOffer();                 // put it into the INVITE
 * call.setRemoteDescription(SdpType.ANSWER, answer); // from the 200 OK
 * call.sendDtmf("123#");
 * call.close();                                      // on BYE
 * }</pre>
 * Callee side:
 * <pre>{@code
 * MediaSession call = vmc.newSession(SessionOptions.audioOnly());
 * String answer = call.createAnswer(offerFromInvite); // put it into the 200 OK
 * }</pre>
 *
 * <p>Every operation comes in two forms with the same parameters: {@code x(...)} blocks and
 * returns the result (or throws {@link VmcException}); {@code xAsync(...)} returns a
 * {@link CompletableFuture} of the same result (completed exceptionally with the same
 * {@link VmcException}). Invalid arguments throw at once in both forms. Futures complete on the
 * {@link Vmc}'s dispatcher thread; the blocking forms may be called from listeners. Thread-safe.
 */
public interface MediaSession extends AutoCloseable {

    /** The session's id, unique within the agent. */
    String id();

    /** The options the session was created with. */
    SessionOptions options();

    /** The last state reported by the agent. */
    SessionState state();

    /** Creates an SDP offer with the media engine's candidates (blocking). */
    String createOffer();

    /** {@link #createOffer()}'s async form. */
    CompletableFuture<String> createOfferAsync();

    /** Creates an offer with fresh ICE credentials (RFC 8839 ICE restart), blocking. */
    String createIceRestartOffer();

    /** {@link #createIceRestartOffer()}'s async form. */
    CompletableFuture<String> createIceRestartOfferAsync();

    /** Applies the peer's offer and returns the answer to send back (blocking). */
    String createAnswer(String remoteOfferSdp);

    /** {@link #createAnswer(String)}'s async form. */
    CompletableFuture<String> createAnswerAsync(String remoteOfferSdp);

    /** Applies the peer's description, usually the {@link SdpType#ANSWER} to our offer. */
    void setRemoteDescription(SdpType type, String sdp);

    /** {@link #setRemoteDescription(SdpType, String)}'s async form. */
    CompletableFuture<Void> setRemoteDescriptionAsync(SdpType type, String sdp);

    /**
     * Discards the pending offer, ours ({@link #createOffer()}, {@link #hold()}...) or the peer's
     * ({@code setRemoteDescription(SdpType.OFFER, ...)}), and the call goes on as last negotiated
     * (JSEP rollback): for a re-INVITE answered 491 or 488, or to take the peer's offer on glare.
     * Nothing pending, or a provisional answer applied: {@link VmcException.Reason#FAILED_PRECONDITION}.
     */
    void rollback();

    /** {@link #rollback()}'s async form. */
    CompletableFuture<Void> rollbackAsync();

    /** Same as {@code setRemoteDescription(SdpType.ANSWER, answerSdp)}. */
    default void setRemoteDescription(String answerSdp) {
        setRemoteDescription(SdpType.ANSWER, answerSdp);
    }

    /** {@link #setRemoteDescription(String)}'s async form. */
    default CompletableFuture<Void> setRemoteDescriptionAsync(String answerSdp) {
        return setRemoteDescriptionAsync(SdpType.ANSWER, answerSdp);
    }

    /** Adds a trickled remote candidate, or {@link IceCandidate#endOfCandidates()}. */
    void addRemoteCandidate(IceCandidate candidate);

    /** {@link #addRemoteCandidate(IceCandidate)}'s async form. */
    CompletableFuture<Void> addRemoteCandidateAsync(IceCandidate candidate);

    /**
     * Starts sending the screen (a session built with {@link SessionOptions.Builder#screenShare}).
     * The thin client's user is asked first, with a preview; this returns once the user allowed it.
     *
     * @throws VmcException PERMISSION_DENIED with the reason when the user denied it or did not answer
     */
    void startScreenShare(ScreenShare share);

    /** {@link #startScreenShare(ScreenShare)}'s async form. */
    CompletableFuture<Void> startScreenShareAsync(ScreenShare share);

    /** Stops the screen share (or withdraws the question); the call goes on. */
    void stopScreenShare();

    /** {@link #stopScreenShare()}'s async form. */
    CompletableFuture<Void> stopScreenShareAsync();

    /** Mutes or unmutes the microphone (and camera). */
    void setMute(boolean muted);

    /** {@link #setMute(boolean)}'s async form. */
    CompletableFuture<Void> setMuteAsync(boolean muted);

    /** Mutes or unmutes one kind of media. */
    void setMute(MediaKind kind, boolean muted);

    /** {@link #setMute(MediaKind, boolean)}'s async form. */
    CompletableFuture<Void> setMuteAsync(MediaKind kind, boolean muted);

    /** Whether audio is muted by {@link #setMute}. */
    boolean isMuted();

    /**
     * Puts the call on hold: local media stops at once, and the engine produces a re-offer
     * ({@code a=sendonly}) delivered to
     * {@link MediaSessionListener#onRenegotiationNeeded} with reason {@code "hold"}; send it in a
     * re-INVITE and apply the answer with {@link #setRemoteDescription(SdpType, String)}.
     */
    void hold();

    /** {@link #hold()}'s async form. */
    CompletableFuture<Void> holdAsync();

    /** Takes the call off hold; the re-offer arrives like {@link #hold()}'s, with reason {@code "resume"}. */
    void resume();

    /** {@link #resume()}'s async form. */
    CompletableFuture<Void> resumeAsync();

    /** Sends DTMF digits (0-9, *, #, A-D) with RFC 4733 events, 100 ms each. */
    void sendDtmf(String digits);

    /** {@link #sendDtmf(String)}'s async form. */
    CompletableFuture<Void> sendDtmfAsync(String digits);

    /** Sends DTMF digits with the given duration per digit (40 ms to 2 s). */
    void sendDtmf(String digits, Duration perDigit);

    /** {@link #sendDtmf(String, Duration)}'s async form. */
    CompletableFuture<Void> sendDtmfAsync(String digits, Duration perDigit);

    /** Uses this device for this session only. */
    void selectDevice(Device device);

    /** {@link #selectDevice(Device)}'s async form. */
    CompletableFuture<Void> selectDeviceAsync(Device device);

    /** Tells the engine where the remote video of this call is shown in the guest desktop. */
    void setVideoArea(VideoArea area);

    /** {@link #setVideoArea(VideoArea)}'s async form. */
    CompletableFuture<Void> setVideoAreaAsync(VideoArea area);

    /** Removes the video mapping {@code mappingId} (the engine stops drawing it). */
    void clearVideoArea(int mappingId);

    /** {@link #clearVideoArea(int)}'s async form. */
    CompletableFuture<Void> clearVideoAreaAsync(int mappingId);

    /** Current statistics (blocking): what a stats panel asks for when it is opened. */
    SessionStats stats();

    /** {@link #stats()}'s async form. */
    CompletableFuture<SessionStats> statsAsync();

    /**
     * Pushes statistics to {@link MediaSessionListener#onStats} every {@code interval} (at least
     * one second) while the call lasts; {@link Duration#ZERO} stops them. Off by default: each push
     * crosses the VDI server's control channel, so ask only while something shows them, or use
     * {@link #stats()}. {@link MediaSessionListener#onQualityAlert} comes either way.
     */
    void setStatsInterval(Duration interval);

    /** {@link #setStatsInterval(Duration)}'s async form. */
    CompletableFuture<Void> setStatsIntervalAsync(Duration interval);

    void addListener(MediaSessionListener listener);

    void removeListener(MediaSessionListener listener);

    /** Shortcut for a listener that only wants state changes. */
    default void onStateChange(Consumer<SessionState> callback) {
        addListener(new MediaSessionListener() {
            @Override
            public void onStateChange(MediaSession session, SessionState state, String reason) {
                callback.accept(state);
            }
        });
    }

    /** Shortcut for a listener that only wants local candidates (trickle ICE). */
    default void onLocalCandidate(Consumer<IceCandidate> callback) {
        addListener(new MediaSessionListener() {
            @Override
            public void onLocalCandidate(MediaSession session, IceCandidate candidate) {
                callback.accept(candidate);
            }
        });
    }

    /** Shortcut for a listener that only wants statistics. */
    default void onStats(Consumer<SessionStats> callback) {
        addListener(new MediaSessionListener() {
            @Override
            public void onStats(MediaSession session, SessionStats stats) {
                callback.accept(stats);
            }
        });
    }

    /** Ends the media and frees the engine's resources. Idempotent; never throws. */
    @Override
    void close();

    /** {@link #close()}'s async form; the future never fails. */
    CompletableFuture<Void> closeAsync();
}
