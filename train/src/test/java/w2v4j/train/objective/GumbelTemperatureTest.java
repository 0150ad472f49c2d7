package w2v4j.train.objective;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class GumbelTemperatureTest {

    @Test
    void baseSchedule() {
        GumbelTemperature s = GumbelTemperature.BASE;
        assertEquals(2.0, s.at(0), 0.0);
        // 2 · 0.999995^100000, from Python
        assertEquals(1.2130598030905373, s.at(100_000), 1e-12);
        // 2 · 0.999995^1e6 = 0.0135 < 0.5: clamped
        assertEquals(0.5, s.at(1_000_000), 0.0);
        assertEquals(0.1, GumbelTemperature.LARGE_LV60.at(1_000_000), 0.0);
    }
}
