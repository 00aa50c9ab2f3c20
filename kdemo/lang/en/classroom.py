"""English: the share box (a lesson link) and the class board (kdemo/app/tabs/share.py, board.py)."""
TEXT = {
    "share.open": "Share this setup (a lesson link for your class)",
    "share.intro": "Everyone who opens the link sees exactly this setup. Only settings that differ from the "
                   "defaults go into it, so links stay short.",
    "share.hide": "Hide (groups or single controls)", "share.lock": "Lock the values (visible, not editable)",
    "share.autorun": "Start training when the page opens",
    "share.question": "Question for the class (plain text, at most {n} characters)",
    "share.btn": "Make the link (and copy it)", "share.link": "Link",
    "share.cli": "The same run on the command line",
    "share.json": "…and as a config file (python -m kdemo train --config run.json)",
    "board.nothing": "(nothing varies)", "board.axis": "Setting on the x axis", "board.metric": "Measure",
    "board.metric.gain": "gain: KD − twin (points)", "board.metric.kd": "KD student accuracy (%)",
    "board.metric.twin": "twin accuracy (%)",
    "board.csv": "⬇ Board (CSV)", "board.json": "⬇ Board (JSON)", "board.teacher": "Teacher",
    "board.key": "Teacher key", "board.clear": "Clear all rows", "board.close": "Close the class",
    "board.code": "Class code", "board.nick": "Nickname (shown on the board)", "board.join": "Set nickname",
    "class.open": "Teach a whole class (a shared board for everyone's runs)",
    "class.intro": "Starts a class for the setup above (and the share box's lesson options): students open the "
                   "join link, and every run they finish appears on one board.",
    "class.start": "Start a class", "class.join_link": "Join link (for students)",
    "class.board_link": "Board link (for the projector)",
    "class.key": "Teacher key (clears or closes the board; keep it)",
    # the board's sentence (kdemo/teach/classboard.py; the /class_board API keeps the English) and the page's lines
    "board.empty": "No runs yet: each student's finished run appears here.",
    "board.run": "{n} run", "board.runs": "{n} runs", "board.points": "points", "board.pct": "%",
    "board.mean": "{mean} {unit} over {runs}", "board.mean_pm": "{mean} ± {half} {unit} over {runs}",
    "board.none": "{head}: none measured {what} (the gain needs the twin).",
    "board.what.gain": "gain", "board.what.kd": "KD student accuracy (%)", "board.what.twin": "twin accuracy (%)",
    "board.same": "{head}, all with the lesson's settings: {reached} {pm}",
    "board.reached.gain": "KD gained", "board.reached.kd": "the KD student reached",
    "board.reached.twin": "the twin reached",
    "board.best": "{head}: {axis} = {value} gave {word}, {pm}",
    "board.word.gain": "the largest gain", "board.word.kd": "the most accurate KD student",
    "board.word.twin": "the most accurate twin",
    "board.where": "{axis} = {value} ", "board.collapsed": "; {where}collapsed in {c} of {r}", "board.end": ".",
    "board.note": "Class board · {members} joined · {rows} · {state} · removed in {days} days",
    "board.rows": "{n} rows", "board.row": "1 row",
    "board.open": "open", "board.closed": "closed by the teacher",
    "board.not_shown": "Open a board with its link (<code>?board=CODE</code>).",
    "class.member": "You are in the class as <b>{nickname}</b>{number}: every run you finish, or stop after its "
                    "first curve point, posts one row to the class board. In class mode a run trains one seed, yours "
                    "is the lesson's seed + {offset}: the class is the sample.",
    "class.member_number": " (student {n})",
    # notes the class handlers write (kdemo/app/tabs/board.py)
    "class.started": "Students open the <b>join link</b> (every run they finish posts one row to the board); the "
                     "<b>board link</b> is for the projector. Keep the <b>teacher key</b>: it clears or closes the "
                     "board.",
    "board.cleared_one": "Cleared: {n} row removed.",
    "board.cleared": "Cleared: {n} rows removed.",
    "board.closed_now": "Closed: the board keeps its rows but takes no new students or runs.",
    "share.asked": "<b>Question:</b> {question}",
}
