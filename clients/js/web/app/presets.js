// Presets for the create form. Times in the form's units: minutes for banks, limits and
// stage additions, seconds for increments, delays, periods and turn budgets.
// `tc` fills the time-control fields (SPEC §2 "Time controls"); without it the preset is
// a plain Fischer clock (top-level increment, as every server understands).

export const PRESETS = [
  {
    id: 'chess-5-3', label: 'Chess 5+3', title: 'Chess 5+3',
    mode: 'per_participant', totalMin: 5, incrementS: 3,
    players: ['White', 'Black'],
  },
  {
    id: 'blitz-3-2', label: 'Blitz 3+2', title: 'Blitz 3+2',
    mode: 'per_participant', totalMin: 3, incrementS: 2,
    players: ['White', 'Black'],
  },
  {
    id: 'rapid-15-10', label: 'Rapid 15+10', title: 'Rapid 15+10',
    mode: 'per_participant', totalMin: 15, incrementS: 10,
    players: ['White', 'Black'],
  },
  {
    id: 'rapid-15-10-bronstein', label: 'Rapid 15+10 Bronstein', title: 'Rapid 15+10 Bronstein',
    mode: 'per_participant', totalMin: 15,
    tc: { type: 'bronstein', delayS: 10 },
    players: ['White', 'Black'],
  },
  {
    // FIDE classical: 90 min for 40 moves, then 30 min, 30 s a move from move 1.
    id: 'classical-90-40', label: 'Classical 90/40 + 30 + 30 s', title: 'Classical 90/40 + 30 min + 30 s',
    mode: 'per_participant', totalMin: 90, incrementS: 30,
    tc: { type: 'fischer', stageMoves: 40, stageAddMin: 30 },
    players: ['White', 'Black'],
  },
  {
    id: 'go-byoyomi', label: 'Go 60 min + 5×30 s', title: 'Go 60 min + 5×30 s byo-yomi',
    mode: 'per_participant', totalMin: 60,
    tc: { type: 'byoyomi', periods: 5, periodS: 30 },
    players: ['Black', 'White'],
  },
  {
    id: 'canadian-10-25', label: 'Canadian 10 min/25', title: 'Canadian 10 min + 25 moves in 10 min',
    mode: 'per_participant', totalMin: 10,
    tc: { type: 'canadian', moves: 25, periodS: 600 },
    players: ['Black', 'White'],
  },
  {
    id: 'hourglass-1', label: 'Hourglass 1 min', title: 'Hourglass 1 min',
    mode: 'per_participant', totalMin: 1,
    tc: { type: 'hourglass' },
    players: ['Player 1', 'Player 2'],
  },
  {
    id: 'exam-60', label: 'Exam 60 min', title: 'Exam',
    mode: 'global', totalMin: 60,
    players: ['Candidates'],
  },
  {
    id: 'debate', label: 'Debate teams', title: 'Debate',
    mode: 'per_group', totalMin: 10, incrementS: 0,
    groups: ['Proposition', 'Opposition'],
    // [name, group index]
    players: [['First proposition', 0], ['First opposition', 1],
      ['Second proposition', 0], ['Second opposition', 1]],
  },
  {
    id: 'turn-30', label: 'Turn timer 30 s', title: 'Turn timer',
    mode: 'per_cycle', cycleS: 30,
    players: ['Player 1', 'Player 2', 'Player 3'],
  },
  {
    id: 'stopwatch', label: 'Stopwatch', title: 'Stopwatch',
    mode: 'count_up',
    players: ['Stopwatch'],
  },
];

// The time-control fields' values when a preset names none (the form's defaults).
export const TC_DEFAULTS = { type: 'fischer', delayS: 5, periods: 5, periodS: 30, moves: 25 };
