// Presets for the create form. Times in the form's units: minutes for banks and
// limits, seconds for increments and turn budgets.

export const PRESETS = [
  {
    id: 'chess-5-3', label: 'Chess 5+3', title: 'Chess 5+3',
    mode: 'per_participant', totalMin: 5, incrementS: 3,
    players: ['White', 'Black'],
  },
  {
    id: 'rapid-15-10', label: 'Rapid 15+10', title: 'Rapid 15+10',
    mode: 'per_participant', totalMin: 15, incrementS: 10,
    players: ['White', 'Black'],
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
