package io.vmc.engine.internal;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import com.google.gson.Strictness;

/** Parses a JSON object as RFC 8259 demands (no lenient extensions, nothing after it), for tests. */
public final class StrictJson {
    private StrictJson() {}

    public static JsonObject object(String json) {
        return new GsonBuilder().setStrictness(Strictness.STRICT).create().fromJson(json, JsonObject.class);
    }
}
