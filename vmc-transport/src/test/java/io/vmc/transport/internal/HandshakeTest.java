package io.vmc.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.vmc.transport.proto.Hello;
import org.junit.jupiter.api.Test;

/** The handshake rules alone, on Hellos written by hand. */
class HandshakeTest {
    private static Hello facts(String instance) {
        return Hello.newBuilder().setMinVersion(1).setMaxVersion(1).setInstanceId(instance)
                .setSessionToken(ByteString.copyFromUtf8("token-" + instance)).setNextSeq(1).setOldestSeq(1).build();
    }

    private static Hello from(String instance, long id, long inReplyTo) {
        return facts(instance).toBuilder().setHelloId(id).setInReplyTo(inReplyTo).build();
    }

    @Test
    void anInitiatingHelloIsAnsweredButCompletesNothing() {
        Handshake hs = new Handshake(100);
        Hello mine = hs.begin(facts("me"));
        Handshake.Step step = hs.receive(from("peer", 7, 0), () -> facts("me"));
        assertThat(step).isInstanceOf(Handshake.Step.Send.class);
        assertThat(((Handshake.Step.Send) step).hello().getInReplyTo()).isEqualTo(7);
        assertThat(hs.state()).isEqualTo(Handshake.State.WAITING);
        assertThat(mine.getInReplyTo()).isZero();
    }

    @Test
    void aReplyToOurHelloCommitsAndIsConfirmed() {
        Handshake hs = new Handshake(100);
        Hello mine = hs.begin(facts("me"));
        Handshake.Step step = hs.receive(from("peer", 8, mine.getHelloId()), () -> facts("me"));
        assertThat(step).isInstanceOfSatisfying(Handshake.Step.Commit.class,
                c -> assertThat(c.confirm().getInReplyTo()).isEqualTo(8));
        assertThat(hs.state()).isEqualTo(Handshake.State.ESTABLISHED);
    }

    @Test
    void aConfirmationOfOurReplyCommitsWithoutAnotherMessage() {
        Handshake hs = new Handshake(100);
        hs.begin(facts("me"));
        Hello reply = ((Handshake.Step.Send) hs.receive(from("peer", 7, 0), () -> facts("me"))).hello();
        Handshake.Step step = hs.receive(from("peer", 9, reply.getHelloId()), () -> facts("me"));
        assertThat(step).isInstanceOfSatisfying(Handshake.Step.Commit.class, c -> assertThat(c.confirm()).isNull());
    }

    @Test
    void answersToAnEarlierAttemptNeverCommit() {
        Handshake hs = new Handshake(100);
        Hello first = hs.begin(facts("me"));
        hs.detach();
        hs.begin(facts("me"));
        assertThat(hs.receive(from("peer", 8, first.getHelloId()), () -> facts("me"))).isInstanceOf(Handshake.Step.Ignore.class);
        assertThat(hs.state()).isEqualTo(Handshake.State.WAITING);
    }

    @Test
    void staleHellosFromTheCurrentPeerAreIgnoredOnceEstablished() {
        Handshake hs = new Handshake(100);
        Hello mine = hs.begin(facts("me"));
        hs.receive(from("agent", 50, mine.getHelloId()), () -> facts("me"));
        // Hellos it sent earlier (lower ids), still queued in a virtio buffer, arrive late.
        assertThat(hs.receive(from("agent", 40, 0), () -> facts("me"))).isInstanceOf(Handshake.Step.Send.class); // the confirm again
        assertThat(hs.receive(from("agent", 41, 12345), () -> facts("me"))).isInstanceOf(Handshake.Step.Ignore.class);
        assertThat(hs.state()).isEqualTo(Handshake.State.ESTABLISHED);
    }

    @Test
    void aNewAttemptOfThePeerOrANewInstanceMakesAnEstablishedSideHandshakeAgain() {
        Handshake hs = new Handshake(100);
        Hello mine = hs.begin(facts("me"));
        hs.receive(from("agent", 50, mine.getHelloId()), () -> facts("me"));
        Handshake.Step step = hs.receive(from("agent", 60, 0), () -> facts("me"));
        assertThat(step).isInstanceOfSatisfying(Handshake.Step.Restart.class,
                r -> assertThat(r.initiation().getInReplyTo()).isZero());
        assertThat(hs.state()).isEqualTo(Handshake.State.WAITING);
    }

    @Test
    void resendsOfAnAttemptAreTheSameHello() {
        Handshake hs = new Handshake(100);
        Hello mine = hs.begin(facts("me"));
        assertThat(hs.initiation()).isEqualTo(mine);
    }
}
