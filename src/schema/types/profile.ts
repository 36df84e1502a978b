/**
 * `User.profile`: Synvo's structured profile as 8 typed categories with the 34 subtopics as
 * camelCase fields, plus `attributes`, the flat list of every attribute (unknown ones too).
 * Subtopics that usually hold one value are `String` (several values joined with "; "); the
 * others are `[String!]`.
 */
import type { ProfileAttribute, SynvoProfile } from '../../upstream/types.js';
import { builder } from '../builder.js';
import { UserType } from './user.js';

interface SubtopicSpec {
  key: string;
  list: boolean;
  description: string;
}
interface CategorySpec {
  key: string;
  field: string;
  typeName: string;
  description: string;
  subtopics: SubtopicSpec[];
}

const one = (key: string, description: string): SubtopicSpec => ({ key, list: false, description });
const many = (key: string, description: string): SubtopicSpec => ({ key, list: true, description });

/** Synvo's profile schema (emulators/README.md, "The upstreams' behaviour"): 8 categories, 34 subtopics. */
export const PROFILE_CATEGORIES: readonly CategorySpec[] = [
  {
    key: 'basic_info', field: 'basicInfo', typeName: 'BasicInfo', description: 'Who the user is.',
    subtopics: [
      one('name', 'Full name.'), one('age', 'Age, as stated.'), one('gender', 'Gender.'),
      one('birth_date', 'Date of birth, as stated.'), one('nationality', 'Nationality.'),
      one('ethnicity', 'Ethnicity.'), many('language_spoken', 'Languages the user speaks.'),
    ],
  },
  {
    key: 'contact_info', field: 'contactInfo', typeName: 'ContactInfo', description: 'How and where to reach the user.',
    subtopics: [one('email', 'Email address.'), one('phone', 'Phone number.'), one('city', 'City of residence.'), one('country', 'Country of residence.')],
  },
  {
    key: 'education', field: 'education', typeName: 'Education', description: "The user's education.",
    subtopics: [one('school', 'School or university.'), one('degree', 'Degree.'), one('major', 'Major or field of study.')],
  },
  {
    key: 'demographics', field: 'demographics', typeName: 'Demographics', description: 'Household and family facts.',
    subtopics: [
      one('marital_status', 'Marital status.'), one('number_of_children', 'Number of children, as stated.'),
      one('household_income', 'Household income, as stated.'),
    ],
  },
  {
    key: 'work', field: 'work', typeName: 'Work', description: "The user's work.",
    subtopics: [
      one('company', 'Employer.'), one('title', 'Job title.'), one('working_industry', 'Industry.'),
      many('previous_projects', 'Projects the user has worked on.'), many('work_skills', 'Professional skills.'),
    ],
  },
  {
    key: 'interest', field: 'interest', typeName: 'Interest', description: "The user's tastes and hobbies.",
    subtopics: [
      many('books', 'Books.'), many('movies', 'Movies.'), many('music', 'Music.'), many('foods', 'Foods.'), many('sports', 'Sports.'),
    ],
  },
  {
    key: 'psychological', field: 'psychological', typeName: 'Psychological', description: "The user's character and aims.",
    subtopics: [
      many('personality', 'Personality traits.'), many('values', 'Values.'), many('beliefs', 'Beliefs.'),
      many('motivations', 'Motivations.'), many('goals', 'Goals.'),
    ],
  },
  {
    key: 'life_event', field: 'lifeEvent', typeName: 'LifeEvent', description: "Milestones in the user's life.",
    subtopics: [one('marriage', 'Marriage.'), one('relocation', 'Relocation.'), one('retirement', 'Retirement.')],
  },
];

const camel = (key: string) => key.replace(/_([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
/** Keys are matched case-insensitively, with spaces or dashes read as underscores. */
export const normaliseKey = (key: string) => key.trim().toLowerCase().replace(/[\s-]+/g, '_');

/** One category's values, by normalised subtopic key. */
type CategoryValues = ReadonlyMap<string, readonly string[]>;

export interface ProfileData {
  attributes: readonly ProfileAttribute[];
  byCategory: ReadonlyMap<string, CategoryValues>;
}

function groupByCategory(attributes: readonly ProfileAttribute[]): Map<string, Map<string, string[]>> {
  const byCategory = new Map<string, Map<string, string[]>>();
  for (const a of attributes) {
    const category = normaliseKey(a.category);
    const subtopic = normaliseKey(a.subtopic);
    let values = byCategory.get(category);
    if (!values) byCategory.set(category, (values = new Map()));
    values.set(subtopic, [...(values.get(subtopic) ?? []), ...a.values]);
  }
  return byCategory;
}

/** The grouping by category is made on first use: a query that selects only `attributes` never pays for it. */
export function toProfileData(profile: SynvoProfile): ProfileData {
  let byCategory: ReadonlyMap<string, CategoryValues> | undefined;
  return {
    attributes: profile.attributes,
    get byCategory() {
      return (byCategory ??= groupByCategory(profile.attributes));
    },
  };
}

export const ProfileAttributeType = builder.objectRef<ProfileAttribute>('ProfileAttribute').implement({
  description: 'One profile value set, as Synvo reports it: every attribute, including categories and subtopics not in the typed schema.',
  fields: (t) => ({
    category: t.exposeString('category', { description: 'Category key, lower-case (e.g. `basic_info`).' }),
    subtopic: t.exposeString('subtopic', { description: 'Subtopic key, lower-case (e.g. `language_spoken`).' }),
    values: t.exposeStringList('values', { description: 'Every value of this subtopic (one or more).' }),
  }),
});

const categoryTypes = PROFILE_CATEGORIES.map((spec) => {
  const ref = builder.objectRef<CategoryValues>(spec.typeName).implement({
    description: `${spec.description} Synvo profile category \`${spec.key}\`; a field is null when Synvo has no evidence for it.`,
    fields: (t) =>
      Object.fromEntries(
        spec.subtopics.map((sub) => [
          camel(sub.key),
          sub.list
            ? t.stringList({
                nullable: true,
                description: `${sub.description} (subtopic \`${sub.key}\`)`,
                resolve: (values) => {
                  const v = values.get(sub.key);
                  return v && v.length > 0 ? [...v] : null;
                },
              })
            : t.string({
                nullable: true,
                description: `${sub.description} (subtopic \`${sub.key}\`; several values are joined with "; ")`,
                resolve: (values) => {
                  const v = values.get(sub.key);
                  return v && v.length > 0 ? v.join('; ') : null;
                },
              }),
        ]),
      ),
  });
  return { spec, ref };
});

export const ProfileType = builder.objectRef<ProfileData>('Profile').implement({
  description:
    "A user's structured profile, built by Synvo from their files: 8 typed categories (null when Synvo has no evidence for any of their subtopics) and the flat list of every attribute.",
  fields: (t) => ({
    ...Object.fromEntries(
      categoryTypes.map(({ spec, ref }) => [
        spec.field,
        t.field({
          type: ref,
          nullable: true,
          description: `${spec.description} (category \`${spec.key}\`)`,
          resolve: (profile) => profile.byCategory.get(spec.key) ?? null,
        }),
      ]),
    ),
    attributes: t.field({
      type: [ProfileAttributeType],
      description: 'Every attribute of the profile, unknown categories and subtopics included.',
      resolve: (profile) => [...profile.attributes],
    }),
  }),
});

builder.objectField(UserType, 'profile', (t) =>
  t.field({
    type: ProfileType,
    nullable: true,
    description: "The user's Synvo profile; null while the user has no data yet (or when Synvo fails: see the error).",
    resolve: async (user, _args, ctx) => {
      const profile = await ctx.memory.profile(user.name);
      return profile ? toProfileData(profile) : null;
    },
  }),
);
