import { drawLandscape } from './images.js';
import type { SeedFile, SeedUser } from './store.js';

/**
 * Seed sub-users, shared by name with the MemSync emulator:
 * - `default`: the Synvo seed's NTU student, with EXACTLY the seed's profile and six events
 *   (../../shared/seeds/synvo-profile-and-events.txt), plus the files they came from, as text.
 * - `alex`: the MemSync seed's San Francisco software engineer; the profile and events come from
 *   running the extraction rules over the files at startup, like any upload.
 * - `newcomer`: no data at all (so it is simply absent).
 */

const at = (iso: string) => Date.parse(iso);

const defaultProfile = [
  { category: 'education', subtopic: 'school', value: 'Nanyang Technological University (NTU)' },
  { category: 'education', subtopic: 'major', value: 'Artificial Intelligence' },
  {
    category: 'psychological', subtopic: 'values',
    value: 'Values leadership and service in education, emphasises interactive learning, and places strong weight on financial literacy for better long-term decision-making.',
  },
  {
    category: 'psychological', subtopic: 'motivations',
    value: 'Motivated by improving learning quality and gaining financial knowledge that supports accurate decisions.',
  },
  { category: 'interest', subtopic: 'sports', value: 'Shows interest in self-care and wellness activities from event materials.' },
  { category: 'interest', subtopic: 'books', value: 'Reads technical and analytical material, such as neural network explanations and financial summaries.' },
  { category: 'work', subtopic: 'work_skills', value: 'Shows familiarity with machine learning concepts and financial analysis principles.' },
];

const defaultEvents = [
  { type: 'personal', content: 'User uploaded Nanyang Technological University (NTU) Annual Report for 2024.', happenTime: '2025-11-16T00:00:00', mentionTime: '2025-11-16T15:29:18.344000' },
  { type: 'personal', content: 'User uploaded a video lecture presented by Andrew Ng about neural networks.', happenTime: '2025-11-16T00:00:00', mentionTime: '2025-11-16T15:31:00.890000' },
  { type: 'personal', content: 'User saved an audio lecture explaining operating profit margin.', happenTime: '2025-11-16T00:00:00', mentionTime: '2025-11-16T15:32:40.555000' },
  { type: 'personal', content: 'User received an invitation for the October WellFest event at Nanyang Technological University.', happenTime: '2025-10-23T00:00:00', mentionTime: '2025-11-16T15:34:06.326000' },
  { type: 'personal', content: 'User encouraged colleagues to join the WellFest event focused on self-care and well-being.', happenTime: '2025-10-23T00:00:00', mentionTime: '2025-11-16T15:34:06.326000' },
  { type: 'financial', content: 'User plans to attend the October WellFest event on 23rd October 2025.', happenTime: '2025-10-23T00:00:00', mentionTime: '2025-11-16T15:34:06.326000' },
];

const defaultFiles = [
  {
    id: 'f_default_ntu_annual_report', name: 'ntu-annual-report-2024.txt', dir: '/reports', createdAt: at('2025-11-16T15:29:18.344Z'),
    text: `Nanyang Technological University (NTU) Annual Report 2024 - notes

NTU is a research-intensive public university in Singapore with colleges of engineering, science, business, humanities and medicine.
In 2024 the university welcomed more than 33,000 undergraduate and graduate students.
The report highlights leadership and service in education as core values of the university.
Interactive learning is at the centre of the teaching model, with flipped classrooms across every college.
Research funding grew in artificial intelligence, sustainability and healthcare technology.
The university reported a balanced budget, with total income rising on the back of research grants.
Financial literacy programmes were offered to all first-year students to support long-term decision-making.`,
  },
  {
    id: 'f_default_neural_networks', name: 'neural-networks-lecture-notes.md', dir: '/lectures', createdAt: at('2025-11-16T15:31:00.890Z'),
    text: `# Neural networks - video lecture by Andrew Ng

A neural network is a function built from layers of simple units called neurons.
Each neuron computes a weighted sum of its inputs, adds a bias and applies an activation function such as ReLU or sigmoid.
Training adjusts the weights with gradient descent so that the loss on the training examples goes down.
Backpropagation computes the gradient of the loss with respect to every weight, layer by layer, from the output back to the input.
Deep networks with many hidden layers learn features automatically, which is why they work well for images, speech and text.
Overfitting is reduced with more data, regularisation and dropout.`,
  },
  {
    id: 'f_default_operating_margin', name: 'operating-profit-margin-notes.txt', dir: '/lectures', createdAt: at('2025-11-16T15:32:40.555Z'),
    text: `Operating profit margin - notes from an audio lecture

Operating profit margin is operating profit divided by revenue, expressed as a percentage.
Operating profit is revenue minus the cost of goods sold and operating expenses such as salaries, rent and marketing.
A higher operating profit margin means a company keeps more of each dollar of sales before interest and taxes.
Comparing the operating profit margin across companies in the same industry shows which one runs more efficiently.
A company with revenue of 1,000,000 dollars and operating profit of 150,000 dollars has an operating profit margin of 15 percent.`,
  },
  {
    id: 'f_default_wellfest', name: 'wellfest-invitation.txt', dir: '/events', createdAt: at('2025-11-16T15:34:06.326Z'),
    text: `You are invited to WellFest at Nanyang Technological University!

The October WellFest takes place on 23rd October 2025 on the NTU campus.
WellFest is a day of self-care and well-being activities: yoga, mindfulness workshops, healthy food stalls and sports games.
Bring your colleagues and friends along and take a break together.
Registration is free for students and staff.`,
  },
];

const alexFiles = [
  {
    id: 'f_alex_resume', name: 'resume.txt', dir: '/career', createdAt: at('2025-11-10T09:00:00.000Z'),
    text: `Alex - Software Engineer

Name: Alex
City: San Francisco
Country: United States
Company: a health-tech startup applying machine learning to healthcare
Title: Software Engineer
Working industry: Healthcare technology
Work skills: Python, machine learning, data pipelines
Previous projects: A model that flags early signs of patient deterioration from hospital records
Relocation: Moved to San Francisco from Chicago

Alex builds machine learning applications for healthcare at a startup in San Francisco.
Alex works in Python every day and collaborates with healthcare professionals such as Dr. Martinez to turn clinical needs into software.
Sarah Johnson, who leads the data platform team, reviews every model before it reaches clinicians.
Alex presented a poster on the patient deterioration model at a digital health conference in Boston on 2024-04-18.`,
  },
  {
    id: 'f_alex_hiking', name: 'hiking-log.md', dir: '/personal', createdAt: at('2025-11-11T18:30:00.000Z'),
    text: `# Hiking log

Sports: Hiking
Hiked the Dipsea Trail from Mill Valley to Stinson Beach on 2025-10-12 with family.
Climbed Mount Tamalpais in Marin on 2025-10-26 and watched the fog roll over the Bay Area.
Followed the coastal path at Point Reyes on 2025-11-02 to the lighthouse.
Walked the Lands End trail on 2025-11-08 to watch the sunset over the Golden Gate.
Hiking on Bay Area trails is how Alex recharges.`,
  },
  {
    id: 'f_alex_reading', name: 'reading-and-values.txt', dir: '/personal', createdAt: at('2025-11-12T21:15:00.000Z'),
    text: `Reading list and what matters

Books: Books about emerging technologies and artificial intelligence
Values: Sustainability and green technology
Goals: Keep learning about artificial intelligence, healthcare technology and sustainable innovation
Alex reads about emerging technologies most evenings.
Sustainability shapes personal choices: commuting by bike, a plant-based diet most days and green technology side projects.
Family time matters, and weekends are kept for family and friends.`,
  },
];

/**
 * One real PNG per seed user with files, for thumbnails and downloads. Images carry no text: they
 * add no profile facts and no events, and are found by name and path only.
 */
let imageBytes: { default: Uint8Array; alex: Uint8Array } | undefined;
const seedImages = (): Record<'default' | 'alex', SeedFile> => {
  // Drawn once per process: a reset reuses the same (never mutated) bytes.
  imageBytes ??= { default: drawLandscape(320, 240, [70, 150, 80]), alex: drawLandscape(400, 300, [120, 140, 70]) };
  return {
    default: {
      id: 'f_default_campus_photo', name: 'ntu-campus.png', dir: '/photos', createdAt: at('2025-11-16T15:35:10.000Z'),
      text: '', bytes: imageBytes.default, facts: false,
    },
    alex: {
      id: 'f_alex_trail_photo', name: 'mount-tamalpais.png', dir: '/photos', createdAt: at('2025-11-12T22:00:00.000Z'),
      text: '', bytes: imageBytes.alex, facts: false,
    },
  };
};

/** A fresh copy of the seed users (the store mutates what it is given). */
export function synvoSeed(): SeedUser[] {
  const images = seedImages();
  return [
    {
      name: 'default',
      extractFacts: false,
      profile: defaultProfile.map((p) => ({ ...p })),
      events: defaultEvents.map((e) => ({ ...e })),
      files: [...defaultFiles.map((f) => ({ ...f })), images.default],
    },
    { name: 'alex', extractFacts: true, files: [...alexFiles.map((f) => ({ ...f })), images.alex] },
  ];
}
