package io.vmc.engine.internal.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmc.engine.internal.EngineException;
import io.vmc.transport.proto.Error;
import org.junit.jupiter.api.Test;

class RestartBudgetTest {
    @Test
    void refusesPastTheLimitInTheWindowAndAllowsAgainWhenItSlides() {
        RestartBudget b = new RestartBudget(2, 30_000);
        b.spend(0, "local", "10.0.0.1:5000");
        b.spend(10_000, "remote", "10.0.0.1:5000");
        assertThatThrownBy(() -> b.spend(20_000, "local", "10.0.0.1:5000")).isInstanceOfSatisfying(EngineException.class, e -> {
            assertThat(e.code()).isEqualTo(Error.Code.RESOURCE_EXHAUSTED);
            assertThat(e.getMessage()).contains("local restart refused (2 per 30 s allowed); media stays on 10.0.0.1:5000");
        });
        b.spend(30_001, "local", "10.0.0.1:5000"); // the first one left the window
        assertThatThrownBy(() -> b.spend(30_002, "remote", "x")).isInstanceOf(EngineException.class);
    }
}
