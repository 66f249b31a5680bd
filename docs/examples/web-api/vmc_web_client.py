#!/usr/bin/env python3
"""A small client of vmc-agentd's web API (docs/web-api.md), and a demo that makes a call with it.

The web API is vmc.v1 in protobuf's JSON mapping over a WebSocket on loopback: one JSON object per
text message, {"request": {...}} out, {"response": {...}} and {"event": {...}} in. This file needs
only Python 3 and the `websockets` package (Debian: python3-websockets).

    python3 vmc_web_client.py status        # mode, reason, sessions of your user
    python3 vmc_web_client.py call          # two sessions call each other through the engine

The URL and the secret come from $XDG_RUNTIME_DIR/vmc/web-api.url and web-api.secret, which
`vmc agentd web-secret` writes (--dir names another folder).
"""
import argparse
import asyncio
import itertools
import json
import os
import sys

import websockets

SUBPROTOCOL = "vmc.v1.json"
SECRET_PREFIX = "vmc.secret."


class VmcError(Exception):
    """An error response: code is a vmc.v1 Error.Code name such as "NOT_FOUND"."""

    def __init__(self, code, message):
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


class VmcWebClient:
    """One connection to agentd's web API. Use as `async with VmcWebClient(url, secret) as vmc:`."""

    def __init__(self, url, secret, origin=None):
        self.url = url
        self.secret = secret
        self.origin = origin
        self.events = asyncio.Queue()
        self._ids = itertools.count(1)
        self._pending = {}
        self._ws = None
        self._reader = None

    async def __aenter__(self):
        # The secret rides in the subprotocol list, which every WebSocket client can set (browsers
        # cannot set headers); agentd answers with "vmc.v1.json" and never echoes the secret.
        # Clients that can set headers may send "Authorization: Bearer SECRET" instead.
        self._ws = await websockets.connect(self.url, subprotocols=[SUBPROTOCOL, SECRET_PREFIX + self.secret],
                                            origin=self.origin, max_size=2 ** 20)
        self._reader = asyncio.ensure_future(self._read())
        return self

    async def __aexit__(self, *exc):
        await self._ws.close()
        self._reader.cancel()

    async def _read(self):
        try:
            async for text in self._ws:
                message = json.loads(text)
                if "response" in message:
                    response = message["response"]
                    future = self._pending.pop(response.get("id", "0"), None)
                    if future is not None and not future.done():
                        future.set_result(response)
                elif "event" in message:
                    await self.events.put(message["event"])
        finally:
            for future in self._pending.values():
                if not future.done():
                    future.set_exception(ConnectionError("the web API connection closed"))

    async def call(self, method, **fields):
        """Sends one request, e.g. call("createOffer", sessionId=sid); returns the response's result.

        Request ids are strings here because responses carry them as strings (protobuf's JSON
        mapping writes 64-bit integers as strings)."""
        request_id = str(next(self._ids))
        future = asyncio.get_running_loop().create_future()
        self._pending[request_id] = future
        await self._ws.send(json.dumps({"request": {"id": request_id, method: fields}}))
        response = await asyncio.wait_for(future, 30)
        if "error" in response:
            error = response["error"]
            raise VmcError(error.get("code", "CODE_UNSPECIFIED"), error.get("message", ""))
        result = {k: v for k, v in response.items() if k != "id"}
        return next(iter(result.values()), {})  # the one result field: sessionCreated, description, ...

    async def next_event(self, kind, match=lambda e: True, timeout=30):
        """The next event of this kind ("sessionState", "localCandidate", "modeChanged"...) that matches."""
        async def wait():
            while True:
                event = await self.events.get()
                if kind in event and match(event[kind]):
                    return event[kind]
        return await asyncio.wait_for(wait(), timeout)


def read_first_line(path):
    with open(path, encoding="utf-8") as f:
        return f.readline().strip()


async def status(vmc):
    s = await vmc.call("getStatus")
    print(f"mode {s.get('mode')} ({s.get('reason')}) {s.get('detail', '')}".rstrip())
    for sid in s.get("sessionIds", []):
        print(f"session {sid}")


async def call(vmc):
    """Two sessions of this user call each other: offer, answer, ICE, media, stats, close."""
    await status(vmc)
    a = (await vmc.call("createSession", options={"audio": True, "label": "python caller"}))["sessionId"]
    b = (await vmc.call("createSession", options={"audio": True, "label": "python callee"}))["sessionId"]
    print(f"sessions {a} {b}")
    offer = (await vmc.call("createOffer", sessionId=a))["sdp"]
    print(f"offer {len(offer)} characters")
    answer = (await vmc.call("createAnswer", sessionId=b, remoteSdp=offer))["sdp"]
    await vmc.call("setRemoteDescription", sessionId=a, type="ANSWER", sdp=answer)
    connected = set()
    while connected != {a, b}:
        state = await vmc.next_event("sessionState", lambda e: e.get("state") == "CONNECTED")
        connected.add(state["sessionId"])
        print(f"event sessionState CONNECTED {state['sessionId']}")
    for _ in range(50):  # media flows within a second or two
        stats = await vmc.call("getStats", sessionId=a)
        received = sum(int(s.get("packetsReceived", "0")) for s in stats.get("streams", []))
        if received > 20:
            break
        await asyncio.sleep(0.2)
    print(f"stats packetsReceived {received} encrypted {stats['streams'][0].get('encrypted', False)}")
    try:
        await vmc.call("getStats", sessionId="s-not-mine")
    except VmcError as e:
        print(f"error {e.code} for a session that is not ours")
    await vmc.call("closeSession", sessionId=a)
    await vmc.call("closeSession", sessionId=b)
    print("closed")


async def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("command", choices=["status", "call"])
    p.add_argument("--dir", help="folder of web-api.url and web-api.secret (default $XDG_RUNTIME_DIR/vmc)")
    p.add_argument("--url", help="ws://127.0.0.1:PORT/vmc.v1 (default: from web-api.url)")
    p.add_argument("--origin", help="send this Origin header (a web page's); native clients send none")
    args = p.parse_args()
    folder = args.dir or os.path.join(os.environ.get("XDG_RUNTIME_DIR", ""), "vmc")
    url = args.url or read_first_line(os.path.join(folder, "web-api.url"))
    secret = read_first_line(os.path.join(folder, "web-api.secret"))
    async with VmcWebClient(url, secret, args.origin) as vmc:
        await (status(vmc) if args.command == "status" else call(vmc))


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except (VmcError, OSError, asyncio.TimeoutError, websockets.exceptions.WebSocketException) as e:
        print(f"vmc_web_client: {type(e).__name__}: {e}", file=sys.stderr)
        sys.exit(1)
