package io.vmc.stun.internal;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.vmc.stun.Rule;
import io.vmc.stun.TranslationTable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The hot path allocates nothing per request beyond what the pool recycles. */
@Timeout(60)
class StunResponderAllocationTest {
    @Test
    void ipv4BindingWithRulesAllocatesAlmostNothingPerRequest() throws Throwable {
        // On a netty thread, as in the server: the pool's thread caches and recyclers only serve those.
        java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic.AtomicReference<>();
        Thread t = new io.netty.util.concurrent.FastThreadLocalThread(() -> {
            try {
                measure();
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        t.start();
        t.join();
        if (failure.get() != null) {
            throw failure.get();
        }
    }

    private void measure() throws Exception {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        TranslationTable table = new TranslationTable();
        table.setFileRules(List.of(Rule.parse("10.9.0.0/16 -> 192.0.2.1"), Rule.parse("10.0.0.5 -> 192.0.2.10")));
        StunResponder responder = new StunResponder(table, "VMC fake-stun");
        PooledByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
        byte[] bytes = StunMessage.bindingRequest(new byte[12]).encoder().fingerprint(true).toBytes();
        ByteBuf request = alloc.directBuffer(bytes.length).writeBytes(bytes);
        InetSocketAddress source = new InetSocketAddress(InetAddress.getByName("10.0.0.5"), 40000);
        int n = 200_000;
        for (int round = 0; round < 3; round++) { // the last round runs compiled code
            long before = mx.getThreadAllocatedBytes(Thread.currentThread().getId());
            for (int i = 0; i < n; i++) {
                ByteBuf out = responder.respond(request, source, alloc);
                out.release();
            }
            long perRequest = (mx.getThreadAllocatedBytes(Thread.currentThread().getId()) - before) / n;
            if (round == 2) {
                assertThat(perRequest).as("bytes allocated per request").isLessThan(16);
            }
        }
        request.release();
        assertThat(responder.answered()).isEqualTo(3L * n);
    }
}
