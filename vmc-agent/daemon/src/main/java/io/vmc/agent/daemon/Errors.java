package io.vmc.agent.daemon;

import io.vmc.transport.proto.Error;
import io.vmc.transport.proto.Response;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

/** Builds error responses (for the web API too). */
public final class Errors {
    private Errors() {}

    public static Response error(Error.Code code, String message) {
        return Response.newBuilder().setError(Error.newBuilder().setCode(code).setMessage(message)).build();
    }

    /** The response for a backend call that failed without an answer. */
    static Response fromThrowable(String backend, Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof io.vmc.transport.VmcTransportException v) {
            return error(v.code(), backend + ": " + v.getMessage());
        }
        if (t instanceof TimeoutException) {
            return error(Error.Code.DEADLINE_EXCEEDED, backend + " did not answer in time");
        }
        return error(Error.Code.UNAVAILABLE, backend + " failed: " + t);
    }
}
