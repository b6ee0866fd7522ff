// herald editors' UI: keyboard shortcuts, bulk selection and confirmations.
// Loaded as an external script (the CSP forbids inline code). Scraped text is never put
// into the page from here: only textContent and fixed strings are written.
(function () {
  'use strict';

  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute('content') : '';

  function typingInField(event) {
    var el = event.target;
    if (!el || !el.tagName) return false;
    var tag = el.tagName.toLowerCase();
    return tag === 'input' || tag === 'textarea' || tag === 'select' || el.isContentEditable;
  }

  // ---- confirmations (data-confirm on a form) ----
  document.querySelectorAll('form[data-confirm]').forEach(function (form) {
    form.addEventListener('submit', function (event) {
      if (!window.confirm(form.getAttribute('data-confirm'))) event.preventDefault();
    });
  });

  // ---- item page: Ctrl+Enter saves ----
  var editForm = document.getElementById('edit-form');
  if (editForm) {
    editForm.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        editForm.submit();
      }
    });
  }

  // ---- queue page ----
  var cards = Array.prototype.slice.call(document.querySelectorAll('.cards .card'));
  if (cards.length === 0) return;

  var selectAll = document.getElementById('select-all');
  var countLabel = document.getElementById('bulk-count');
  var boxes = cards.map(function (card) { return card.querySelector('input[name="ids"]'); });

  function updateCount() {
    var n = boxes.filter(function (b) { return b && b.checked; }).length;
    if (countLabel) countLabel.textContent = n > 0 ? '已选 ' + n + ' 条' : '';
    cards.forEach(function (card, i) {
      card.classList.toggle('is-selected', !!(boxes[i] && boxes[i].checked));
    });
    if (selectAll) selectAll.checked = n > 0 && n === boxes.length;
  }
  boxes.forEach(function (b) { if (b) b.addEventListener('change', updateCount); });
  if (selectAll) {
    selectAll.addEventListener('change', function () {
      boxes.forEach(function (b) { if (b) b.checked = selectAll.checked; });
      updateCount();
    });
  }

  var current = -1;
  function focusCard(index) {
    if (index < 0 || index >= cards.length) return;
    if (current >= 0) cards[current].classList.remove('is-current');
    current = index;
    cards[current].classList.add('is-current');
    cards[current].scrollIntoView({ block: 'nearest' });
  }

  var labels = { accepted: '已采用', rejected: '已拒绝', pending: '待审' };

  function showState(card, state) {
    card.classList.remove('state-pending', 'state-accepted', 'state-rejected');
    card.classList.add('state-' + state, 'is-decided');
    var badge = card.querySelector('.badge');
    if (badge) {
      badge.className = 'badge badge-' + state;
      badge.textContent = labels[state] || state;
    }
  }

  function showError(card, message) {
    var note = card.querySelector('.card-error');
    if (!note) {
      note = document.createElement('p');
      note.className = 'card-error';
      card.querySelector('.card-body').appendChild(note);
    }
    note.textContent = message;
  }

  function decide(index, state) {
    var card = cards[index];
    if (!card) return;
    var reason = '';
    if (state === 'rejected') {
      var answer = window.prompt('拒绝理由（可留空）', '');
      if (answer === null) return;
      reason = answer;
    }
    var id = card.getAttribute('data-id');
    fetch('/api/v1/candidates/' + encodeURIComponent(id) + '/decision', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrf },
      body: JSON.stringify({ state: state, reason: reason })
    }).then(function (response) {
      if (!response.ok) throw new Error('HTTP ' + response.status);
      return response.json();
    }).then(function (candidate) {
      showState(card, candidate.state);
      focusCard(Math.min(index + 1, cards.length - 1));
    }).catch(function (error) {
      showError(card, '操作失败（' + error.message + '），请刷新页面后重试');
    });
  }

  document.addEventListener('keydown', function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typingInField(event)) return;
    switch (event.key) {
      case 'j': focusCard(current < 0 ? 0 : current + 1); break;
      case 'k': focusCard(current < 0 ? 0 : current - 1); break;
      case 'a': if (current >= 0) decide(current, 'accepted'); break;
      case 'r': if (current >= 0) decide(current, 'rejected'); break;
      case 'e':
        if (current >= 0) window.location.href = '/items/' + encodeURIComponent(cards[current].getAttribute('data-id'));
        break;
      case 'x':
        if (current >= 0 && boxes[current]) { boxes[current].checked = !boxes[current].checked; updateCount(); }
        break;
      default: return;
    }
    event.preventDefault();
  });

  cards.forEach(function (card, i) {
    card.addEventListener('click', function (event) {
      if (event.target.closest('a, button, input, label')) return;
      focusCard(i);
    });
  });
})();
