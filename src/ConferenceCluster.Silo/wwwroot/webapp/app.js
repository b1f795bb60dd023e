'use strict';
// The ConferenceCluster web app: joins a conference through this silo's client API (Pexip's client REST API v2):
// request_token (with the PIN when asked) -> events (server-sent) -> participants/<me>/calls with a WebRTC offer -> ack;
// refresh_token at half the token's life; release_token on leave. Its state is window.conferenceApp.state (read-only
// for anyone else: debugging, tests).
(() => {
  const $ = id => document.getElementById(id);
  const app = window.conferenceApp = {
    state: {
      phase: 'idle', // idle | joining | waiting | in | ended
      alias: null, displayName: null, token: null, participant: null, role: null,
      roster: {}, speaking: [], locked: false, guestsMuted: false,
      callId: null, calls: 0, error: null, endReason: null,
      timings: {}, // performance.now() of requestToken, token, callAnswered (the latest join and call)
    },
    // getUserMedia constraints for the microphone (the browser's echo cancellation and noise suppression by default).
    microphoneConstraints: { echoCancellation: true, noiseSuppression: true, autoGainControl: true },
    pc: null,
    remoteStream: null,
    events: null,
  };
  const state = app.state;
  let microphone = null;
  let refreshTimer = null;
  let calling = null;

  const base = () => `/api/client/v2/conferences/${encodeURIComponent(state.alias)}`;

  // One request of the client API: {status, body} (body = Pexip's envelope); a network failure throws.
  async function api(path, { method = 'POST', body, pin } = {}) {
    const headers = { 'content-type': 'application/json' };
    if (state.token) headers.token = state.token;
    if (pin !== undefined) headers.pin = pin;
    const response = await fetch(`${base()}/${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    let envelope = null;
    try { envelope = await response.json(); } catch { /* no JSON: not one of ours */ }
    return { status: response.status, body: envelope, result: envelope && envelope.result };
  }

  function say(text, isError = false) {
    $('status').textContent = text || '';
    $('status').classList.toggle('error', isError);
    if (isError) state.error = text;
  }

  // ---- joining ----

  async function join(event) {
    event.preventDefault();
    if (state.phase === 'joining') return;
    state.alias = $('alias').value.trim();
    state.displayName = $('name').value.trim();
    if (!state.alias || !state.displayName) return;
    const pinShown = !$('pin-row').hidden;
    const pin = pinShown ? ($('pin').value.trim() || 'none') : undefined;
    Object.assign(state, { phase: 'joining', error: null, token: null, roster: {}, speaking: [], endReason: null, timings: { requestToken: performance.now() } });
    say('Joining…');
    let answer;
    try {
      answer = await api('request_token', { body: { display_name: state.displayName, call_tag: '' }, pin });
    } catch (e) {
      state.phase = 'idle';
      return say(`Could not reach the conferencing node: ${e}`, true);
    }
    if (answer.status === 403 && answer.result && typeof answer.result === 'object' && answer.result.pin === 'required') {
      state.phase = 'idle';
      $('pin-row').hidden = false;
      $('pin-hint').textContent = answer.result.guest_pin === 'none' ? 'Guests: leave the PIN empty.' : '';
      $('pin').focus();
      return say(pinShown ? 'This conference needs a PIN.' : 'Enter the conference PIN.', pinShown);
    }
    if (answer.status !== 200) {
      state.phase = 'idle';
      const why = answer.result && typeof answer.result === 'string' ? answer.result : `HTTP ${answer.status}`;
      return say(answer.status === 404 ? 'No such conference.' : why, true);
    }
    const r = answer.result;
    state.timings.token = performance.now();
    Object.assign(state, { token: r.token, participant: r.participant_uuid, role: r.role, phase: r.current_service_type === 'waiting_room' ? 'waiting' : 'in' });
    scheduleRefresh(Number(r.expires) || 120);
    $('join-form').hidden = true;
    $('meeting').hidden = false;
    $('conference-title').textContent = `${r.conference_name} — you are ${r.display_name} (${r.role === 'HOST' ? 'Host' : 'Guest'})`;
    openEvents();
    if (state.phase === 'waiting') say('Waiting for the host to let you in…');
    else startCall();
    render();
  }

  function scheduleRefresh(expires) {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(refresh, expires * 500); // at half the token's life
  }

  async function refresh() {
    if (state.phase === 'ended' || !state.token) return false;
    try {
      const answer = await api('refresh_token');
      if (answer.status === 200) {
        state.token = answer.result.token;
        scheduleRefresh(Number(answer.result.expires) || 120);
        return true;
      }
      end(answer.status === 503 && typeof answer.result === 'string' ? answer.result : 'The conference no longer knows this participant');
    } catch (e) {
      end(`Lost the connection to the conferencing node (${e})`);
    }
    return false;
  }

  // ---- the media call ----

  // A call the node cannot take right now (503: its media is moving off a failed node) is tried again, a few times.
  const callAttempts = 10;

  function startCall(attempt = 1) {
    if (!calling) calling = makeCall(attempt).finally(() => { calling = null; });
    return calling;
  }

  async function makeCall(attempt) {
    try {
      microphone ??= await navigator.mediaDevices.getUserMedia({ audio: app.microphoneConstraints });
    } catch (e) {
      return say(`No microphone: ${e}. The web app needs a secure page (https://, or http://localhost).`, true);
    }
    closeCall();
    const pc = app.pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    microphone.getTracks().forEach(track => pc.addTrack(track, microphone));
    pc.ontrack = e => {
      app.remoteStream = e.streams[0] || new MediaStream([e.track]);
      const audio = $('remote-audio');
      audio.srcObject = app.remoteStream;
      audio.play().catch(err => say(`Click anywhere to hear the conference (${err.name})`));
    };
    await pc.setLocalDescription(await pc.createOffer());
    const answer = await api(`participants/${state.participant}/calls`, { body: { call_type: 'WEBRTC', sdp: pc.localDescription.sdp } });
    if (app.pc !== pc) return; // replaced meanwhile
    if (answer.status === 409) return say('Waiting for the host to let you in…');
    if (answer.status === 503 && attempt < callAttempts && state.phase === 'in') {
      say('Reconnecting the media…');
      closeCall();
      setTimeout(() => { if (state.phase === 'in' && !app.pc) startCall(attempt + 1); }, 1000);
      return;
    }
    if (answer.status !== 200) return say(`The call failed: ${typeof answer.result === 'string' ? answer.result : answer.status}`, true);
    state.callId = answer.result.call_uuid;
    state.timings.callAnswered = performance.now();
    state.calls++;
    await pc.setRemoteDescription({ type: 'answer', sdp: answer.result.sdp });
    await api(`participants/${state.participant}/calls/${state.callId}/ack`);
    say('');
  }

  function closeCall() {
    if (app.pc) app.pc.close();
    app.pc = null;
    state.callId = null;
  }

  // ---- events ----

  function openEvents() {
    if (app.events) app.events.close();
    const events = app.events = new EventSource(`${base()}/events?token=${encodeURIComponent(state.token)}`);
    const on = (name, handler) => events.addEventListener(name, e => { handler(e.data ? JSON.parse(e.data) : null); render(); });
    on('participant_sync_begin', () => { state.roster = {}; });
    on('participant_sync_end', () => { });
    on('participant_create', p => participantChanged(p));
    on('participant_update', p => participantChanged(p));
    on('participant_delete', p => { delete state.roster[p.uuid]; });
    on('conference_update', c => { state.locked = c.locked; state.guestsMuted = c.guests_muted; });
    on('stage', stage => { state.speaking = stage.filter(s => s.vad > 0).map(s => s.participant_uuid); });
    on('call_disconnected', c => {
      if (c.call_uuid !== state.callId) return;
      closeCall();
      if (c.reoffer) { say('Reconnecting the media…'); startCall(); }
    });
    on('disconnect', d => end(d.reason || 'Disconnected'));
    events.onerror = () => streamLost(events);
  }

  // The event stream dropped: the node may have restarted its stream, or died. A refresh tells which.
  async function streamLost(events) {
    events.close();
    if (app.events !== events || state.phase === 'ended') return;
    app.events = null;
    if (await refresh()) openEvents();
  }

  function participantChanged(p) {
    state.roster[p.uuid] = p;
    if (p.uuid === state.participant) {
      state.role = p.role === 'chair' ? 'HOST' : 'GUEST';
      if (state.phase === 'waiting') { // the host let us in
        state.phase = 'in';
        say('');
        startCall();
      }
    }
  }

  function end(reason) {
    if (state.phase === 'ended') return;
    state.phase = 'ended';
    state.endReason = reason;
    clearTimeout(refreshTimer);
    if (app.events) app.events.close();
    app.events = null;
    closeCall();
    say(reason, true);
    $('meeting').hidden = true;
    $('join-form').hidden = false;
    state.token = null;
    render();
  }

  // ---- commands ----

  async function command(path, body) {
    try {
      const answer = await api(path, { body });
      if (answer.status !== 200) say(typeof answer.result === 'string' ? answer.result : `HTTP ${answer.status}`, true);
      return answer.status === 200;
    } catch (e) {
      end(`Lost the connection to the conferencing node (${e})`);
      return false;
    }
  }

  app.muteSelf = muted => command(`participants/${state.participant}/${muted ? 'mute' : 'unmute'}`);
  app.leave = async () => {
    await command('release_token').catch(() => {});
    end('You left the conference');
  };
  app.setLocked = locked => command(locked ? 'lock' : 'unlock');
  app.muteGuests = muted => command(muted ? 'muteguests' : 'unmuteguests');
  app.muteParticipant = (uuid, muted) => command(`participants/${uuid}/${muted ? 'mute' : 'unmute'}`);
  app.disconnectParticipant = uuid => command(`participants/${uuid}/disconnect`);
  app.rosterList = () => Object.values(state.roster);

  // ---- the page ----

  function render() {
    const me = state.roster[state.participant];
    const host = state.role === 'HOST';
    $('mute-self').textContent = me && me.is_muted === 'YES' ? 'Unmute' : 'Mute';
    document.querySelector('.host-only').hidden = !host;
    $('lock').textContent = state.locked ? 'Unlock' : 'Lock';
    $('mute-guests').textContent = state.guestsMuted ? 'Unmute all Guests' : 'Mute all Guests';
    $('lock-state').textContent = state.locked ? '🔒 locked' : '';
    const list = app.rosterList();
    $('count').textContent = `(${list.length})`;
    const roster = $('roster');
    roster.replaceChildren(...list.map(p => {
      const item = document.createElement('li');
      item.dataset.uuid = p.uuid;
      item.classList.toggle('me', p.uuid === state.participant);
      item.classList.toggle('speaking', state.speaking.includes(p.uuid));
      const name = document.createElement('span');
      name.className = 'name';
      name.textContent = p.display_name;
      const tag = document.createElement('span');
      tag.className = 'tag';
      tag.textContent = [p.role === 'chair' ? 'Host' : 'Guest', p.protocol, p.is_muted === 'YES' ? 'muted' : ''].filter(Boolean).join(' · ');
      item.append(name, tag);
      if (host && p.uuid !== state.participant) {
        const mute = document.createElement('button');
        mute.textContent = p.is_muted === 'YES' ? 'Unmute' : 'Mute';
        mute.onclick = () => app.muteParticipant(p.uuid, p.is_muted !== 'YES');
        const kick = document.createElement('button');
        kick.textContent = 'Disconnect';
        kick.className = 'disconnect';
        kick.onclick = () => app.disconnectParticipant(p.uuid);
        item.append(mute, kick);
      }
      return item;
    }));
  }

  $('join-form').addEventListener('submit', join);
  $('mute-self').onclick = () => { const me = state.roster[state.participant]; app.muteSelf(!(me && me.is_muted === 'YES')); };
  $('leave').onclick = () => app.leave();
  $('lock').onclick = () => app.setLocked(!state.locked);
  $('mute-guests').onclick = () => app.muteGuests(!state.guestsMuted);
  document.addEventListener('click', () => { const audio = $('remote-audio'); if (audio.paused && audio.srcObject) audio.play().catch(() => {}); });
  window.addEventListener('pagehide', () => {
    // Leaving the page leaves the conference (keepalive lets the request outlive the page).
    if (state.token && state.phase !== 'ended') fetch(`${base()}/release_token`, { method: 'POST', headers: { token: state.token }, keepalive: true });
  });
  const query = new URLSearchParams(location.search);
  if (query.get('conference')) $('alias').value = query.get('conference');
  if (query.get('name')) $('name').value = query.get('name');
})();
