// herald editors' UI: keyboard shortcuts, bulk selection and confirmations.
// Loaded as an external script (the CSP forbids inline code). Scraped text is never put
// into the page from here: only textContent and fixed strings are written.
(function () {
  'use strict';

  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute('content') : '';

  // Keys typed into a text field are text; a ticked checkbox (or a focused button) keeps
  // the focus but takes no letters, so shortcuts must still work there.
  function typingInField(event) {
    var el = event.target;
    if (!el || !el.tagName) return false;
    var tag = el.tagName.toLowerCase();
    if (tag === 'input') {
      var type = (el.getAttribute('type') || 'text').toLowerCase();
      return ['checkbox', 'radio', 'button', 'submit', 'reset'].indexOf(type) < 0;
    }
    return tag === 'textarea' || tag === 'select' || el.isContentEditable;
  }

  // ---- "?": the keyboard shortcuts, on every page ----
  var SHORTCUTS = [
    ['j / k', '下一条 / 上一条'],
    ['a', '采用当前条目'],
    ['r', '拒绝当前条目'],
    ['e', '打开当前条目（编辑）'],
    ['o', '在新标签页打开原文'],
    ['n', '条目页：下一条待审'],
    ['x', '选中 / 取消选中当前条目'],
    ['?', '显示 / 隐藏本帮助'],
    ['Esc', '关闭本帮助']
  ];
  var help = null;
  function toggleHelp(show) {
    if (!help) {
      help = document.createElement('div');
      help.className = 'keys-overlay';
      help.id = 'keys-overlay';
      help.setAttribute('role', 'dialog');
      help.setAttribute('aria-label', '键盘快捷键');
      var box = document.createElement('div');
      box.className = 'keys-box';
      var title = document.createElement('h2');
      title.textContent = '键盘快捷键';
      box.appendChild(title);
      var list = document.createElement('dl');
      SHORTCUTS.forEach(function (entry) {
        var key = document.createElement('dt');
        var kbd = document.createElement('kbd');
        kbd.textContent = entry[0];
        key.appendChild(kbd);
        var what = document.createElement('dd');
        what.textContent = entry[1];
        list.appendChild(key);
        list.appendChild(what);
      });
      box.appendChild(list);
      help.appendChild(box);
      help.addEventListener('click', function (event) {
        if (event.target === help) toggleHelp(false);
      });
      document.body.appendChild(help);
    }
    help.hidden = !show;
  }
  function helpOpen() { return help !== null && !help.hidden; }
  document.addEventListener('keydown', function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typingInField(event)) return;
    if (event.key === '?') {
      toggleHelp(!helpOpen());
      event.preventDefault();
    } else if (event.key === 'Escape' && helpOpen()) {
      toggleHelp(false);
      event.preventDefault();
    }
  });

  // Opens a scraped link in a new tab without giving that page a handle on this one.
  function openOriginal(link) {
    if (!link) return;
    var opened = window.open(link.href, '_blank', 'noopener,noreferrer');
    if (opened) opened.opener = null;
  }

  // ---- item page: o opens the original, n the next pending candidate ----
  var itemOriginal = document.querySelector('.item-main a[data-action="original"]');
  var itemNext = document.querySelector('a[data-action="next"]');
  if (itemOriginal || itemNext) {
    document.addEventListener('keydown', function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey || typingInField(event) || helpOpen()) return;
      if (event.key === 'o' && itemOriginal) openOriginal(itemOriginal);
      else if (event.key === 'n' && itemNext) window.location.href = itemNext.href;
      else return;
      event.preventDefault();
    });
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
    // A published card's state is frozen: it offers no decision.
    if (!card.querySelector('[data-action="accept"]')) return;
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

  // A card's own accept/reject button decides in place (no reload, the page keeps its
  // place); without JavaScript the form posts and the server sends back to the next card.
  cards.forEach(function (card, i) {
    ['accept', 'reject'].forEach(function (action) {
      var button = card.querySelector('button[data-action="' + action + '"]');
      if (!button) return;
      button.addEventListener('click', function (event) {
        event.preventDefault();
        focusCard(i);
        decide(i, action === 'accept' ? 'accepted' : 'rejected');
      });
    });
  });

  document.addEventListener('keydown', function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typingInField(event) || helpOpen()) return;
    switch (event.key) {
      case 'j': focusCard(current < 0 ? 0 : current + 1); break;
      case 'k': focusCard(current < 0 ? 0 : current - 1); break;
      case 'a': if (current >= 0) decide(current, 'accepted'); break;
      case 'r': if (current >= 0) decide(current, 'rejected'); break;
      case 'e':
        if (current >= 0) window.location.href = '/items/' + encodeURIComponent(cards[current].getAttribute('data-id'));
        break;
      case 'o':
        if (current >= 0) openOriginal(cards[current].querySelector('a[data-action="original"]'));
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
