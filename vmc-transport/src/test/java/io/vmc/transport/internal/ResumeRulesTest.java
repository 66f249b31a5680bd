package io.vmc.transport.internal;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.vmc.transport.proto.Hello;
import org.junit.jupiter.api.Test;

/** The resume rule of docs/protocol.md on hand-written Hellos. */
class ResumeRulesTest {
    private static final ByteString SENDER = ByteString.copyFromUtf8("sender");

    private static Hello sender(long oldest, long next) {
        return Hello.newBuilder().setSessionToken(SENDER).setOldestSeq(oldest).setNextSeq(next).build();
    }

    private static Hello receiver(ByteString resume, long base, long last) {
        return Hello.newBuilder().setSessionToken(ByteString.copyFromUtf8("receiver")).setResumeToken(resume)
                .setBaseSeq(base).setLastReceivedSeq(last).build();
    }

    @Test
    void aReceiverInTheSameStreamContinuesFromItsPosition() {
        assertThat(ResumeRules.decide(sender(3, 6), receiver(SENDER, 0, 4)))
                .isEqualTo(new ResumeRules.Direction(true, 0, 4));
    }

    @Test
    void aReceiverThatNeverHeardOfTheSenderStartsAtItsNextSeq() {
        assertThat(ResumeRules.decide(sender(3, 6), receiver(ByteString.EMPTY, 0, 0)))
                .isEqualTo(new ResumeRules.Direction(false, 5, 5));
        assertThat(ResumeRules.decide(sender(3, 6), receiver(ByteString.copyFromUtf8("predecessor"), 0, 9)))
                .isEqualTo(new ResumeRules.Direction(false, 5, 5));
    }

    @Test
    void aPositionOutsideWhatTheSenderHoldsResets() {
        assertThat(ResumeRules.decide(sender(5, 6), receiver(SENDER, 0, 2)).continues()).isFalse();
        assertThat(ResumeRules.decide(sender(1, 6), receiver(SENDER, 0, 9)).continues()).isFalse();
        assertThat(ResumeRules.decide(sender(1, 6), receiver(SENDER, 4, 3)).continues()).isFalse();
    }
}
